import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { environmentError } from '../errors.js';
import { writeFileAtomicSync } from '../files/atomic.js';
import { naming } from '../kube/resources.js';
import { serviceAccountKey as loadServiceAccountKey } from './auth/tokens.js';
import { bootstrap } from './bootstrap.js';
import { startIdentityControllers } from './controllers/identity.js';
import type { Controllers, Runtime, StartControllers } from './runtime-api.js';
import { createApiServer } from './server/index.js';
import { journalPath, Store } from './store.js';
import { certificateFiles, type ServingCertificates, servingCertificates } from './tls.js';

/**
 * The simulated cluster as one in-process service: the object store (persisted under
 * `<home>/sim/`), the API server on https://127.0.0.1 with a CA of its own, the controllers and the
 * node that runs pods, and a kubeconfig with the context `churn-labs-sim` (and that CA) for the
 * real kubectl and the official clients.
 */
export const SIM_CONTEXT = 'churn-labs-sim';

export interface SimulatorOptions {
  home: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** How much faster than real time CronJob schedules run. */
  timeScale?: number;
  log?: (line: string) => void;
  /**
   * The control plane and node to run; by default the simulator's own controllers. `false` runs
   * the API alone, with `runtime` (if given) standing for the node (tests).
   */
  controllers?: StartControllers | false;
  runtime?: Runtime;
}

export interface Simulator {
  url: string;
  /** The certificate authority (PEM) that signed the server's certificate: what a client trusts. */
  ca: string;
  kubeconfig: string;
  context: string;
  /** The admin user's client certificate and key (PEM): kubernetes-admin in system:masters. */
  admin: { cert: string; key: string };
  stop(): Promise<void>;
}

/** Reads the state file's shape; a file that is not a store's state is moved aside, never fatal. */
function setAsideIfCorrupt(file: string, log: (line: string) => void): void {
  if (!existsSync(file)) return;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as { resourceVersion?: unknown; objects?: unknown };
    if (
      typeof state.resourceVersion === 'number' &&
      typeof state.objects === 'object' &&
      state.objects !== null
    ) {
      for (const list of Object.values(state.objects)) {
        if (!Array.isArray(list)) throw new Error('objects');
        for (const o of list) if (typeof o?.metadata?.name !== 'string') throw new Error('object');
      }
      return;
    }
  } catch {
    // fall through: unreadable
  }
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(file, aside);
  // The journal continues that state: replayed onto a fresh one it would make half a cluster.
  if (existsSync(journalPath(file))) renameSync(journalPath(file), `${aside}.journal`);
  log(
    `warning: the simulated cluster's state file was unreadable; moved it to ${aside} and started a fresh cluster.`,
  );
}

const base64 = (pem: string) => Buffer.from(pem).toString('base64');

/** As kind writes one: the server with its CA, and a user with a client certificate the CA signed. */
function kubeconfigText(url: string, tls: ServingCertificates): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${base64(tls.ca)}`,
    `    server: ${url}`,
    `  name: ${SIM_CONTEXT}`,
    'contexts:',
    '- context:',
    `    cluster: ${SIM_CONTEXT}`,
    `    user: ${SIM_CONTEXT}`,
    `  name: ${SIM_CONTEXT}`,
    `current-context: ${SIM_CONTEXT}`,
    'preferences: {}',
    'users:',
    `- name: ${SIM_CONTEXT}`,
    '  user:',
    `    client-certificate-data: ${base64(tls.admin.cert)}`,
    `    client-key-data: ${base64(tls.admin.key)}`,
    '',
  ].join('\n');
}

/** Whether `url` answers GET /version, trusting the simulator's CA (an older simulator served plain http). */
function answersVersion(url: string, ca: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL('/version', url);
    } catch {
      return resolve(false);
    }
    const send =
      target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined;
    if (!send) return resolve(false);
    const req = send(target, { ca, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** One simulator per home: another live one (its process alive and its URL answering) is an error. */
async function claimHome(pidFile: string, caFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const [pidText, url] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
  try {
    process.kill(pid, 0);
  } catch {
    return;
  }
  // The pid may belong to another program by now: only a simulator that answers counts.
  const answers = url ? await answersVersion(url, readIfThere(caFile)) : true;
  if (answers)
    throw environmentError(
      `A simulated cluster already runs for this folder (process ${pid}${url ? `, ${url}` : ''}). Stop it first, or set CHURN_LABS_HOME to another folder.`,
    );
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const log = options.log ?? (() => {});
  const dir = join(options.home, 'sim');
  // The state holds Secrets: the simulator's folder is private to the user.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const pidFile = join(dir, 'simulator.pid');
  await claimHome(pidFile, certificateFiles(dir).caCert);
  const certificates = await servingCertificates(dir, { log });
  const stateFile = join(dir, 'state.json');
  setAsideIfCorrupt(stateFile, log);
  const store = new Store({ file: stateFile, naming });
  bootstrap(store);

  let controllers: Controllers | undefined;
  const serviceAccountKey = loadServiceAccountKey(dir);
  const api = createApiServer(store, () => controllers?.runtime ?? options.runtime, {
    log,
    tls: certificates,
    serviceAccountKey,
  });
  let url: string;
  try {
    url = await api.listen(options.port ?? 0);
  } catch (error) {
    store.flush();
    store.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw environmentError(
        `Port ${options.port} on 127.0.0.1 is already in use. Stop what uses it, or choose another with --port.`,
      );
    throw error;
  }
  // The kubeconfig before the pid file: a client that finds the pid file and the port answering
  // (the background simulator's starter) takes the simulator as ready, kubeconfig and all.
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileAtomicSync(kubeconfig, kubeconfigText(url, certificates), 0o600);
  writeFileAtomicSync(pidFile, `${process.pid}\n${url}\n`);
  const identity = startIdentityControllers(store, { key: serviceAccountKey, ca: certificates.ca, log });

  try {
    if (options.controllers !== false) {
      const start = options.controllers ?? (await import('./controllers/index.js')).startControllers;
      controllers = start(store, {
        stateDir: dir,
        timeScale: options.timeScale,
        log,
      } as Parameters<StartControllers>[1]);
    }
  } catch (error) {
    identity.stop();
    await api.close();
    store.flush();
    store.close();
    rmSync(pidFile, { force: true });
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    ca: certificates.ca,
    admin: certificates.admin,
    kubeconfig,
    context: SIM_CONTEXT,
    stop() {
      stopping ??= (async () => {
        // While stopping, the event loop may hold nothing else (the server closed, the
        // controllers' timers unref'd): without a handle of its own Node would exit before the
        // state is flushed and the pid file removed.
        const alive = setInterval(() => {}, 1_000);
        try {
          await api.close();
          identity.stop();
          await controllers?.stop();
        } finally {
          store.flush();
          store.close();
          rmSync(pidFile, { force: true });
          clearInterval(alive);
        }
      })();
      return stopping;
    },
  };
}
