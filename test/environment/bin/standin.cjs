// Stand-ins for `docker` and `kind` (this machine has neither a Docker engine nor kind). Each call is
// recorded, as {tool, args}, one JSON line per call in $STANDIN_LOG. They keep a little state in
// $STANDIN_STATE (clusters, images, what each node has loaded) and fail on demand: $STANDIN_FAIL is
// a comma-separated list of the failures below. kind's kubeconfig entries point at $STANDIN_API_URL
// (a running API server), so that what `up` does next through the real kubectl is real.
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
// The project's own yaml package, found from this file's folder.
const YAML = require('yaml');

const DAEMON_DOWN =
  'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';

module.exports = function main(tool, args) {
  const env = process.env;
  fs.appendFileSync(env.STANDIN_LOG, `${JSON.stringify({ tool, args })}\n`);
  const fails = new Set((env.STANDIN_FAIL || '').split(',').filter(Boolean));
  const statePath = env.STANDIN_STATE;
  const state = fs.existsSync(statePath)
    ? JSON.parse(fs.readFileSync(statePath, 'utf8'))
    : { clusters: {}, images: {}, nodeImages: {} };
  const save = () => fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
  const out = (text) => process.stdout.write(`${text}\n`);
  const err = (text) => process.stderr.write(`${text}\n`);
  const exit = (code) => process.exit(code);
  const flag = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const hang = () => {
    if (env.STANDIN_PIDS) fs.appendFileSync(env.STANDIN_PIDS, `${process.pid}\n`);
    out('still working...');
    setInterval(() => {}, 1000);
  };

  if (tool === 'docker') {
    if (args[0] === 'version') return out('27.3.1');
    if (args[0] === 'info') {
      if (fails.has('daemon-down')) {
        // The real trap: `docker info` exits 0 with the error inside its JSON.
        err(DAEMON_DOWN);
        out(JSON.stringify({ ServerVersion: '', ServerErrors: [DAEMON_DOWN] }));
        return exit(0);
      }
      return out(JSON.stringify({ ServerVersion: '27.3.1', MemTotal: 8 * 1024 ** 3, ServerErrors: null }));
    }
    if (fails.has('daemon-down')) {
      err(DAEMON_DOWN);
      return exit(1);
    }
    if (args[0] === 'image' && args[1] === 'inspect') {
      const ref = args.at(-1);
      const image = state.images[ref];
      if (!image) {
        err(`Error response from daemon: No such image: ${ref}`);
        return exit(1);
      }
      return out(flag('--format').includes('.Id') ? image.id : image.hash);
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
        err(`ERROR: ${DAEMON_DOWN}`);
        return exit(1);
      }
      const hash = label.split('=')[1];
      if (!fails.has('build-loses-image'))
        state.images[ref] = {
          id: `sha256:${createHash('sha256').update(`${ref}${hash}`).digest('hex')}`,
          hash,
        };
      save();
      return out(`#9 naming to docker.io/${ref} done`);
    }
    if (args[0] === 'exec') {
      const [, container, crictl, verb] = args;
      const cluster = container.replace(/-control-plane$/, '');
      if (!state.clusters[cluster]) {
        err(`Error response from daemon: No such container: ${container}`);
        return exit(1);
      }
      if (crictl === 'crictl' && verb === 'inspecti') {
        const id = state.nodeImages[args.at(-1)];
        if (!id) {
          err(`E0101 00:00:00.000000 1 remote_image.go:94] no such image "${args.at(-1)}" present`);
          return exit(1);
        }
        return out(JSON.stringify({ status: { id, repoTags: [`docker.io/${args.at(-1)}`] } }));
      }
    }
    err(`docker stand-in: unexpected call: ${args.join(' ')}`);
    return exit(64);
  }

  // kind
  const name = flag('--name') || 'kind';
  const context = `kind-${name}`;
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
  const writeKubeconfig = (server) => {
    const config = readConfig();
    config.clusters = upsert(config.clusters, { name: context, cluster: { server } });
    config.users = upsert(config.users, { name: context, user: { token: 'kind' } });
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
  if (args[0] === 'version') return out('kind v0.27.0 go1.23.6 linux/amd64');
  if (fails.has('daemon-down') && args[0] !== 'version') {
    err(
      `ERROR: failed to list clusters: command "docker ps -a --filter label=io.x-k8s.kind.cluster" failed with error: exit status 1\nCommand Output: ${DAEMON_DOWN}`,
    );
    return exit(1);
  }
  if (args[0] === 'get' && args[1] === 'clusters') {
    if (fails.has('clusters-hang')) return hang();
    const names = Object.keys(state.clusters);
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
    err(
      `Creating cluster "${name}" ...\n ✓ Ensuring node image (kindest/node:v1.32.2) 🖼\n ✗ Preparing nodes 📦`,
    );
    if (fails.has('port-taken')) {
      err(
        `ERROR: failed to create cluster: command "docker run --name ${name}-control-plane --publish=0.0.0.0:30080:30080/TCP kindest/node:v1.32.2" failed with error: exit status 125\nCommand Output: docker: Error response from daemon: driver failed programming external connectivity on endpoint ${name}-control-plane: Bind for 0.0.0.0:30080 failed: port is already allocated.`,
      );
      return exit(1);
    }
    state.clusters[name] = { server: env.STANDIN_API_URL };
    save();
    writeKubeconfig(env.STANDIN_API_URL);
    return err('Thanks for using kind! 😊');
  }
  if (args[0] === 'delete' && args[1] === 'cluster') {
    err(`Deleting cluster "${name}" ...`);
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
    return writeKubeconfig(state.clusters[name].server);
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
    err(`Image: "${ref}" with ID "${image.id}" not yet present on node "${name}-control-plane", loading...`);
    if (fails.has('load-failure')) {
      err(
        `ERROR: failed to load image: command "docker exec --privileged -i ${name}-control-plane ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: exit status 1\nCommand Output: ctr: failed to ingest "blobs/sha256/…": no space left on device`,
      );
      return exit(1);
    }
    state.nodeImages[ref] = image.id;
    save();
    return exit(0);
  }
  err(`kind stand-in: unexpected call: ${args.join(' ')}`);
  return exit(64);
};
