// Stand-ins for `docker` and `kind` (this machine has neither a Docker engine nor kind). Each call is
// recorded, as {tool, args}, one JSON line per call in $STANDIN_LOG. They keep a little state in
// $STANDIN_STATE (clusters and their node's state, Docker's images, what each node has loaded) and
// behave as the machine described by the environment:
//   STANDIN_STORE    classic (overlay2, the default) | containerd (io.containerd.snapshotter.v1)
//   STANDIN_DOCKER   docker (default) | podman (podman-docker) | wsl-shim (Docker Desktop's WSL
//                    placeholder, integration off)
//   STANDIN_DAEMON   how an unreachable daemon words it: new (Docker 28/29, the default) | old |
//                    permission | windows | desktop (Docker Desktop's own socket)
//   STANDIN_ARCH     x86_64 (default) | aarch64;  STANDIN_OS  Docker's OperatingSystem
//   STANDIN_FAIL     a comma-separated list of the failures below
// Pushing (`up --registry`): what a registry holds is kept in the state's `registry`; failures
// push-unauthorized (the registry wants a login: docker/hub-feedback 1222, docker/for-mac 1271),
// push-http (a plain-HTTP registry), no-binfmt (no QEMU for a foreign platform), buildx-missing;
// a multi-platform build on the classic store fails as BuildKit's docker driver does (buildx 1996).
// kind's kubeconfig entries point at $STANDIN_API_URL (a running API server), trusting the CA in
// $STANDIN_API_CA (PEM) if it serves https, so that what `up` does next through the real kubectl
// is real. Every message is the real tool's, as its source,
// documentation or issue threads show it (kind issues 3795, 3845, 4066, 4236, PR 4238; docker/cli
// info.go and PR 3594; containers/podman docker.in; docker/for-win 14517 and 14975).
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
// The project's own yaml package, found from this file's folder.
const YAML = require('yaml');

const SOCKET = 'unix:///var/run/docker.sock';
const UNREACHABLE = {
  new: `failed to connect to the docker API at ${SOCKET}; check if the path is correct and if the daemon is running: dial unix /var/run/docker.sock: connect: no such file or directory`,
  old: `Cannot connect to the Docker daemon at ${SOCKET}. Is the docker daemon running?`,
  permission: `permission denied while trying to connect to the docker API at ${SOCKET}`,
  windows:
    'error during connect: Get "http://%2F%2F.%2Fpipe%2FdockerDesktopLinuxEngine/v1.51/version": open //./pipe/dockerDesktopLinuxEngine: The system cannot find the file specified.',
  desktop:
    'failed to connect to the docker API at unix:///home/learner/.docker/desktop/docker.sock; check if the path is correct and if the daemon is running: dial unix /home/learner/.docker/desktop/docker.sock: connect: no such file or directory',
};
const PODMAN_NOTE = 'Emulate Docker CLI using podman. Create /etc/containers/nodocker to quiet msg.';
const WSL_SHIM = [
  '',
  "The command 'docker' could not be found in this WSL 2 distro.",
  'We recommend to activate the WSL integration in Docker Desktop settings.',
  '',
  'For details about using Docker Desktop with WSL 2, visit:',
  '',
  'https://docs.docker.com/go/wsl2/',
  '',
].join('\n');
const RATE_LIMIT =
  'toomanyrequests: You have reached your unauthenticated pull rate limit. https://www.docker.com/increase-rate-limit';
const CTR_IMPORT = 'ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -';

const digest = (...parts) => `sha256:${createHash('sha256').update(parts.join('\0')).digest('hex')}`;

module.exports = function main(tool, args) {
  const env = process.env;
  fs.appendFileSync(env.STANDIN_LOG, `${JSON.stringify({ tool, args })}\n`);
  const fails = new Set((env.STANDIN_FAIL || '').split(',').filter(Boolean));
  const store = env.STANDIN_STORE || 'classic';
  const flavour = env.STANDIN_DOCKER || 'docker';
  const statePath = env.STANDIN_STATE;
  const state = fs.existsSync(statePath)
    ? JSON.parse(fs.readFileSync(statePath, 'utf8'))
    : { clusters: {}, images: {}, nodeImages: {} };
  state.nodeImages ??= {};
  state.registry ??= {};
  const save = () => fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
  const out = (text) => process.stdout.write(`${text}\n`);
  const err = (text) => process.stderr.write(`${text}\n`);
  const exit = (code) => process.exit(code);
  const flag = (name) => {
    const i = args.indexOf(name);
    if (i >= 0) return args[i + 1];
    const inline = args.find((a) => a.startsWith(`${name}=`));
    return inline === undefined ? undefined : inline.slice(name.length + 1);
  };
  const hang = () => {
    if (env.STANDIN_PIDS) fs.appendFileSync(env.STANDIN_PIDS, `${process.pid}\n`);
    out('still working...');
    setInterval(() => {}, 1000);
  };
  const unreachable = UNREACHABLE[env.STANDIN_DAEMON || 'new'];
  const nodeOf = (container) => {
    const cluster = container.replace(/-control-plane$/, '');
    return state.clusters[cluster] ? state.clusters[cluster] : undefined;
  };

  const hostPlatform = () =>
    ({ x86_64: 'linux/amd64', aarch64: 'linux/arm64' })[env.STANDIN_ARCH || 'x86_64'] || 'linux/amd64';
  /** A registry that refuses the push, as it words it; true when it did. */
  const pushRefused = (ref, buildx) => {
    const host = ref.split('/')[0];
    if (fails.has('push-unauthorized')) {
      if (!buildx) out('5f70bf18a086: Preparing');
      err(
        buildx
          ? `ERROR: failed to push ${ref}: unexpected status from HEAD request to https://${host}/v2/churn-labs/churn-api/blobs/sha256:5f70: 401 Unauthorized`
          : 'unauthorized: authentication required',
      );
      return true;
    }
    if (fails.has('push-http')) {
      err(`Get "https://${host}/v2/": http: server gave HTTP response to HTTPS client`);
      return true;
    }
    return false;
  };

  /**
   * Podman, as `podman` or as podman-docker's `docker`: its info, and building and pushing as
   * `up --registry` does (containers/podman's push writes its progress on stderr).
   */
  const podmanCli = () => {
    if (tool === 'docker') err(PODMAN_NOTE);
    if (args[0] === '--version') return out('podman version 4.3.1');
    if (args[0] === 'info')
      return out(
        JSON.stringify({
          host: { arch: 'amd64', cgroupVersion: 'v2', cpus: 8, memTotal: 16 * 1024 ** 3 },
          store: { graphDriverName: 'overlay' },
          version: { APIVersion: '4.3.1', Version: '4.3.1', OsArch: 'linux/amd64' },
        }),
      );
    if (args[0] === 'image' && args[1] === 'inspect') {
      const ref = args.at(-1);
      const image = state.images[ref];
      if (!image) {
        err(`Error: ${ref}: image not known`);
        return exit(125);
      }
      return out(`${image.hash} ${image.platform || hostPlatform()}`);
    }
    if (args[0] === 'build') {
      const ref = flag('-t');
      const hash = (flag('--label') || '').split('=')[1];
      const platform = flag('--platform');
      out('STEP 1/12: FROM node:24.21.0-alpine3.22 AS bundle');
      state.images[ref] = {
        id: digest('podman', ref, hash, platform || ''),
        hash,
        store: 'podman',
        platform,
      };
      save();
      return out(`COMMIT ${ref}`);
    }
    if (args[0] === 'push') {
      const ref = args[1];
      const image = state.images[ref];
      if (!image) {
        err(`Error: ${ref}: image not known`);
        return exit(125);
      }
      err('Getting image source signatures');
      if (fails.has('push-unauthorized')) {
        err(
          `Error: writing blob: initiating layer upload to /v2/churn-labs/churn-api/blobs/uploads/ in ${ref.split('/')[0]}: unauthorized: authentication required`,
        );
        return exit(125);
      }
      const already = state.registry[ref]?.id === image.id;
      for (const layer of ['5f70bf18a086', 'a2c4e6f8b0d1'])
        err(`Copying blob sha256:${layer}${'0'.repeat(52)} ${already ? 'skipped: already exists' : 'done'}`);
      err(`Copying config sha256:${digest('config', image.id).slice(7)} done`);
      err('Writing manifest to image destination');
      state.registry[ref] = { id: image.id, platforms: [image.platform || hostPlatform()] };
      save();
      return exit(0);
    }
    err(`Error: podman stand-in: not used by these tests: ${args.join(' ')}`);
    return exit(125);
  };

  if (tool === 'podman') return podmanCli();
  if (tool === 'docker') {
    if (flavour === 'wsl-shim') {
      out(WSL_SHIM);
      return exit(1);
    }
    if (flavour === 'podman') return podmanCli();
    if (args[0] === '--version') return out('Docker version 29.1.2, build 890dcca');
    if (args[0] === 'info') {
      if (fails.has('daemon-down')) {
        // The real trap: `docker info --format` exits 0, the error on stderr and in its JSON.
        err(unreachable);
        out(
          JSON.stringify({ ID: '', Containers: 0, ServerVersion: '', NCPU: 0, ServerErrors: [unreachable] }),
        );
        return exit(0);
      }
      const driver =
        store === 'containerd'
          ? { Driver: 'overlayfs', DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] }
          : {
              Driver: 'overlay2',
              DriverStatus: [
                ['Backing Filesystem', 'extfs'],
                ['Supports d_type', 'true'],
              ],
            };
      return out(
        JSON.stringify({
          ServerVersion: '29.1.2',
          ...driver,
          OperatingSystem: env.STANDIN_OS || 'Ubuntu 24.04.1 LTS',
          OSType: 'linux',
          Architecture: env.STANDIN_ARCH || 'x86_64',
          NCPU: Number(env.STANDIN_CPUS || 8),
          MemTotal: Number(env.STANDIN_MEMORY || 8 * 1024 ** 3),
          ServerErrors: null,
        }),
      );
    }
    if (fails.has('daemon-down')) {
      err(args[0] === 'build' ? `ERROR: ${unreachable}` : unreachable);
      return exit(1);
    }
    if (args[0] === 'image' && args[1] === 'inspect') {
      const ref = args.at(-1);
      const image = state.images[ref];
      if (!image) {
        err(`Error response from daemon: No such image: ${ref}`);
        return exit(1);
      }
      // .Id is the config digest on the classic store, the manifest or index digest on containerd's.
      const format = flag('--format');
      if (format.includes('.Architecture')) return out(`${image.hash} ${image.platform || hostPlatform()}`);
      return out(format.includes('.Id') ? image.id : image.hash);
    }
    if (args[0] === 'build') {
      const ref = flag('-t');
      const dir = args.at(-1);
      const label = flag('--label') || '';
      for (const file of ['Dockerfile', 'churn-mlops.js'])
        if (!fs.existsSync(path.join(dir, file))) {
          err(
            `ERROR: failed to solve: failed to read ${file}: open ${path.join(dir, file)}: no such file or directory`,
          );
          return exit(1);
        }
      out('#1 [internal] load build definition from Dockerfile');
      if (fails.has('build-hang')) return hang();
      if (fails.has('build-daemon-dies')) {
        err(`ERROR: ${unreachable}`);
        return exit(1);
      }
      if (fails.has('pull-limit')) {
        err(
          `ERROR: failed to build: failed to solve: node:24.21.0-alpine3.22: failed to resolve source metadata for docker.io/library/node:24.21.0-alpine3.22: unexpected status from HEAD request to https://registry-1.docker.io/v2/library/node/manifests/24.21.0-alpine3.22: 429 Too Many Requests - Server message: ${RATE_LIMIT}`,
        );
        return exit(1);
      }
      const platform = flag('--platform');
      if (platform && platform !== hostPlatform() && fails.has('no-binfmt')) {
        out('#8 [bundle 3/3] RUN echo \'{"type":"module","private":true}\' > opt/churn-mlops/package.json');
        out('#8 0.112 exec /bin/sh: exec format error');
        err(
          `ERROR: failed to build: failed to solve: process "/bin/sh -c echo '{"type":"module","private":true}' > opt/churn-mlops/package.json" did not complete successfully: exit code: 255`,
        );
        return exit(1);
      }
      const hash = label.split('=')[1];
      const config = platform ? digest('config', ref, hash, platform) : digest('config', ref, hash);
      // BuildKit attaches a provenance attestation when the image goes to the containerd store.
      const attestations = store === 'containerd' && flag('--provenance') !== 'false';
      if (!fails.has('build-loses-image'))
        state.images[ref] = {
          id: store === 'containerd' ? digest('index', config, String(attestations)) : config,
          config,
          hash,
          store,
          attestations,
          platform: flag('--platform'),
        };
      save();
      return out(`#9 naming to docker.io/${ref} done`);
    }
    if (args[0] === 'buildx') {
      if (fails.has('buildx-missing')) {
        err("docker: 'buildx' is not a docker command.\nSee 'docker --help'");
        return exit(1);
      }
      if (args[1] === 'version') return out('github.com/docker/buildx v0.30.1 9e66234');
      if (args[1] !== 'build') {
        err(`docker stand-in: unexpected call: ${args.join(' ')}`);
        return exit(64);
      }
      const platforms = (flag('--platform') || hostPlatform()).split(',');
      const ref = flag('-t');
      out('#0 building with "default" instance using docker driver');
      if (platforms.length > 1 && store !== 'containerd') {
        err(
          'ERROR: Multi-platform build is not supported for the docker driver.\nSwitch to a different driver, or turn on the containerd image store, and try again.\nLearn more at https://docs.docker.com/go/build-multi-platform/',
        );
        return exit(1);
      }
      if (platforms.some((p) => p !== hostPlatform()) && fails.has('no-binfmt')) {
        err(
          'ERROR: failed to build: failed to solve: process "/bin/sh -c ..." did not complete successfully: exit code: 255',
        );
        out('#8 0.112 exec /bin/sh: exec format error');
        return exit(1);
      }
      if (!args.includes('--push')) {
        out('#12 exporting to image');
        return exit(0);
      }
      if (pushRefused(ref, true)) return exit(1);
      const hash = (flag('--label') || '').split('=')[1];
      const id = digest('index', ref, hash, platforms.join(','));
      state.registry[ref] = { id, platforms };
      save();
      out(`#14 pushing manifest for ${ref}@${id} 0.3s done`);
      return exit(0);
    }
    if (args[0] === 'push') {
      const ref = args[1];
      const image = state.images[ref];
      if (!image) {
        err(`Error response from daemon: An image does not exist locally with the tag: ${ref.split(':')[0]}`);
        return exit(1);
      }
      out(`The push refers to repository [${ref.split(':')[0]}]`);
      if (pushRefused(ref, false)) return exit(1);
      const already = state.registry[ref]?.id === image.id;
      for (const layer of ['5f70bf18a086', 'a2c4e6f8b0d1', 'c3e5a7b9d1f2'])
        out(`${layer}: ${already ? 'Layer already exists' : 'Pushed'}`);
      state.registry[ref] = { id: image.id, platforms: [image.platform || hostPlatform()] };
      save();
      return out(`${ref.split(':').at(-1)}: digest: ${digest('manifest', image.id)} size: 1573`);
    }
    if (args[0] === 'save') {
      if (flag('--platform') !== undefined && fails.has('save-no-platform')) {
        err("unknown flag: --platform\nSee 'docker save --help'.");
        return exit(125);
      }
      const ref = args.at(-1);
      const image = state.images[ref];
      if (!image) {
        err(`Error response from daemon: No such image: ${ref}`);
        return exit(1);
      }
      // On the containerd store an image with attestations is saved as an index naming a manifest
      // the archive does not hold (kind issue 4236): ctr's import then fails. 'save-incomplete': an
      // index naming a platform's manifest that is not held locally (kind issue 3795).
      const missing =
        image.store === 'containerd' && (image.attestations || fails.has('save-incomplete'))
          ? digest('attestation', image.id)
          : '';
      fs.writeFileSync(flag('-o'), JSON.stringify({ ref, image, missing }));
      return exit(0);
    }
    if (args[0] === 'container' && args[1] === 'inspect') {
      const container = args.at(-1);
      const node = nodeOf(container);
      if (!node) {
        err(`Error response from daemon: No such container: ${container}`);
        return exit(1);
      }
      return out(node.status || 'running');
    }
    if (args[0] === 'start' || args[0] === 'unpause') {
      const container = args[1];
      const node = nodeOf(container);
      if (!node) {
        err(`Error response from daemon: No such container: ${container}`);
        err('Error: failed to start containers: ' + container);
        return exit(1);
      }
      node.status = 'running';
      node.startedAt = Date.now();
      save();
      return out(container);
    }
    if (args[0] === 'exec') {
      const [, container, command, ...rest] = args;
      const node = nodeOf(container);
      if (!node) {
        err(`Error response from daemon: No such container: ${container}`);
        return exit(1);
      }
      if ((node.status || 'running') !== 'running') {
        err(`Error response from daemon: container ${container} is not running`);
        return exit(1);
      }
      const loaded = Object.entries(state.nodeImages);
      if (command === 'crictl' && rest.join(' ') === 'images -o json')
        return out(
          JSON.stringify({
            images: loaded.map(([ref, image]) => ({
              id: image.config,
              repoTags: [`docker.io/${ref}`],
              repoDigests: [],
              size: '61234567',
            })),
          }),
        );
      if (command === 'ctr' && rest.join(' ') === '--namespace=k8s.io images list') {
        out('REF TYPE DIGEST SIZE PLATFORMS LABELS');
        for (const [ref, image] of loaded)
          out(
            `docker.io/${ref} ${image.mediaType} ${image.digest} 58.4 MiB linux/amd64 io.cri-containerd.image=managed`,
          );
        return exit(0);
      }
    }
    err(`docker stand-in: unexpected call: ${args.join(' ')}`);
    return exit(64);
  }

  // kind
  const name = flag('--name') || 'kind';
  const context = `kind-${name}`;
  const node = `${name}-control-plane`;
  const kubeconfig =
    flag('--kubeconfig') ||
    (env.KUBECONFIG || '').split(path.delimiter)[0] ||
    path.join(os.homedir(), '.kube', 'config');
  // kind merges its entries into the kubeconfig and makes its context the current one.
  const readConfig = () =>
    (fs.existsSync(kubeconfig) && YAML.parse(fs.readFileSync(kubeconfig, 'utf8'))) || {
      apiVersion: 'v1',
      kind: 'Config',
    };
  const upsert = (list, entry) => [...(list || []).filter((e) => e.name !== entry.name), entry];
  const writeKubeconfig = (server, ca) => {
    const config = readConfig();
    const cluster = { server };
    if (ca) cluster['certificate-authority-data'] = Buffer.from(ca).toString('base64');
    config.clusters = upsert(config.clusters, { name: context, cluster });
    // The real kind writes the admin's client certificate; $STANDIN_API_CERT/KEY (PEM) give one
    // that the cluster behind $STANDIN_API_URL accepts.
    const user =
      env.STANDIN_API_CERT && env.STANDIN_API_KEY
        ? {
            'client-certificate-data': Buffer.from(env.STANDIN_API_CERT).toString('base64'),
            'client-key-data': Buffer.from(env.STANDIN_API_KEY).toString('base64'),
          }
        : { token: 'kind' };
    config.users = upsert(config.users, { name: context, user });
    config.contexts = upsert(config.contexts, {
      name: context,
      context: { cluster: context, user: context },
    });
    config['current-context'] = context;
    fs.writeFileSync(kubeconfig, YAML.stringify(config));
    err(`Set kubectl context to "${context}"`);
  };
  const removeFromKubeconfig = () => {
    if (!fs.existsSync(kubeconfig)) return;
    const config = readConfig();
    for (const key of ['clusters', 'users', 'contexts'])
      config[key] = (config[key] || []).filter((e) => e.name !== context);
    if (config['current-context'] === context) config['current-context'] = '';
    fs.writeFileSync(kubeconfig, YAML.stringify(config));
  };
  /** What the node's containerd holds after importing an image (see docker exec above). */
  const importImage = (ref, image) => {
    state.nodeImages[ref] = {
      config: image.config,
      // containerd keeps the imported name's target: Docker's image ID on the containerd store; a
      // manifest that `docker save` wrote on the classic one.
      digest: image.store === 'containerd' ? image.id : digest('manifest', image.config),
      mediaType:
        image.store === 'containerd'
          ? 'application/vnd.oci.image.index.v1+json'
          : 'application/vnd.docker.distribution.manifest.v2+json',
    };
  };
  const importFailed = (missing) => {
    err(
      `ERROR: failed to load image: command "docker exec --privileged -i ${node} ${CTR_IMPORT}" failed with error: exit status 1\nCommand Output: ctr: content digest ${missing}: not found`,
    );
    return exit(1);
  };
  if (args[0] === 'version') return out('kind v0.27.0 go1.23.6 linux/amd64');
  if (fails.has('daemon-down') && args[0] !== 'version') {
    err(
      `ERROR: failed to list clusters: command "docker ps -a --filter label=io.x-k8s.kind.cluster --format '{{.Label "io.x-k8s.kind.cluster"}}'" failed with error: exit status 1\nCommand Output: ${unreachable}`,
    );
    return exit(1);
  }
  if (args[0] === 'get' && args[1] === 'clusters') {
    if (fails.has('clusters-hang')) return hang();
    const names = Object.keys(state.clusters).sort();
    if (names.length === 0) err('No kind clusters found.');
    else out(names.join('\n'));
    return exit(0);
  }
  if (args[0] === 'create' && args[1] === 'cluster') {
    if (!fs.existsSync(flag('--config') || '')) {
      err(
        `ERROR: failed to create cluster: error reading file: open ${flag('--config')}: no such file or directory`,
      );
      return exit(1);
    }
    if (state.clusters[name]) {
      err(`ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"`);
      return exit(1);
    }
    const image = 'kindest/node:v1.32.2';
    err(`Creating cluster "${name}" ...\n • Ensuring node image (${image}) 🖼  ...`);
    if (fails.has('pull-limit')) {
      err(
        ` ✗ Ensuring node image (${image}) 🖼\nERROR: failed to create cluster: failed to pull image "${image}": command "docker pull ${image}" failed with error: exit status 1\nCommand Output: Error response from daemon: ${RATE_LIMIT}`,
      );
      return exit(1);
    }
    err(` ✓ Ensuring node image (${image}) 🖼\n • Preparing nodes 📦   ...`);
    if (fails.has('port-taken')) {
      err(
        ` ✗ Preparing nodes 📦\nERROR: failed to create cluster: command "docker run --name ${node} --publish=0.0.0.0:30080:30080/TCP kindest/node:v1.32.2" failed with error: exit status 125\nCommand Output: docker: Error response from daemon: driver failed programming external connectivity on endpoint ${node}: Bind for 0.0.0.0:30080 failed: port is already allocated.`,
      );
      return exit(1);
    }
    state.clusters[name] = {
      server: env.STANDIN_API_URL,
      ca: env.STANDIN_API_CA || undefined,
      status: 'running',
      startedAt: Date.now(),
    };
    save();
    err(' ✓ Preparing nodes 📦\n ✓ Writing configuration 📜\n ✓ Starting control-plane 🕹️');
    writeKubeconfig(env.STANDIN_API_URL, env.STANDIN_API_CA);
    return err(
      `You can now use your cluster with:\n\nkubectl cluster-info --context ${context}\n\nThanks for using kind! 😊`,
    );
  }
  if (args[0] === 'delete' && args[1] === 'cluster') {
    err(`Deleting cluster "${name}" ...`);
    if (state.clusters[name]) err(`Deleted nodes: ["${node}"]`);
    delete state.clusters[name];
    state.nodeImages = {};
    save();
    removeFromKubeconfig();
    return exit(0);
  }
  if (args[0] === 'export' && args[1] === 'kubeconfig') {
    if (!state.clusters[name]) {
      err(`ERROR: could not locate any control plane nodes for cluster named '${name}'`);
      return exit(1);
    }
    return writeKubeconfig(state.clusters[name].server, state.clusters[name].ca);
  }
  if (args[0] === 'load' && args[1] === 'docker-image') {
    const ref = args[2];
    const image = state.images[ref];
    if (!image) {
      err(`ERROR: image: "${ref}" not present locally`);
      return exit(1);
    }
    if (!state.clusters[name]) {
      err(`ERROR: no nodes found for cluster "${name}"`);
      return exit(1);
    }
    // kind compares Docker's .Id with the node's config digest: on the containerd store they never
    // match (kind issue 4236), so it loads again every time.
    if (state.nodeImages[ref]?.config === image.id) {
      err(`Image: "${ref}" with ID "${image.id}" found to be already present on all nodes.`);
      return exit(0);
    }
    err(`Image: "${ref}" with ID "${image.id}" not yet present on node "${node}", loading...`);
    if (image.store === 'containerd' && image.attestations)
      return importFailed(digest('attestation', image.id));
    importImage(ref, image);
    save();
    return exit(0);
  }
  if (args[0] === 'load' && args[1] === 'image-archive') {
    const file = args[2];
    if (!fs.existsSync(file)) {
      err(`ERROR: stat ${file}: no such file or directory`);
      return exit(1);
    }
    if (!state.clusters[name]) {
      err(`ERROR: no nodes found for cluster "${name}"`);
      return exit(1);
    }
    if (fails.has('load-failure')) {
      err(
        `ERROR: failed to load image: command "docker exec --privileged -i ${node} ${CTR_IMPORT}" failed with error: exit status 1\nCommand Output: ctr: failed to ingest "blobs/sha256/…": no space left on device`,
      );
      return exit(1);
    }
    const archive = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (archive.missing) return importFailed(archive.missing);
    importImage(archive.ref, archive.image);
    save();
    // kind load image-archive prints nothing when it succeeds.
    return exit(0);
  }
  err(`kind stand-in: unexpected call: ${args.join(' ')}`);
  return exit(64);
};
