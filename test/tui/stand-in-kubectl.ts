import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../src/kube/objects.js';

/**
 * A stand-in for kubectl, on PATH ahead of the real one, over a cluster that is a JSON file: `get
 * ... -o json` prints its objects, `get <resource> --watch-only -o name` prints a line whenever the
 * file changes (and runs until it is ended), `create namespace` and `apply` add objects. Every run
 * appends its pid and arguments to a log, so a test can check the flags and that no process is left;
 * a watch also notes when it is watching, so a test changes the cluster only once it will be seen.
 * A test puts `bin` first on PATH and `env` in the environment.
 */
// Reads are a shell `cat`, so that an evaluation costs what a real kubectl does, not a Node start-up.
const KUBECTL = `#!/bin/sh
echo "$$ $*" >> "$STAND_IN_LOG"
case " $* " in
  *" --watch-only "*) exec "$STAND_IN_NODE" "$STAND_IN_DIR/watch.js" "$@" ;;
  *" get "*" -o json "*) printf '{"apiVersion":"v1","kind":"List","items":'; cat "$STAND_IN_STATE"; printf '}'; exit 0 ;;
  *) exec "$STAND_IN_NODE" "$STAND_IN_DIR/change.js" "$@" ;;
esac
`;

const WATCH = String.raw`
const fs = require('node:fs');
const path = require('node:path');
const state = process.env.STAND_IN_STATE;
const resource = process.argv[process.argv.indexOf('get') + 1];
// Only a change of the objects counts (reading the file touches its access time, which inotify
// reports too).
let seen = fs.readFileSync(state, 'utf8');
fs.watch(path.dirname(state), (_event, file) => {
  if (file !== path.basename(state)) return;
  let now;
  try { now = fs.readFileSync(state, 'utf8'); } catch { return; }
  if (now === seen) return;
  seen = now;
  process.stdout.write(resource + '/changed\n');
});
// Watching now: a change from here on is seen (a real kubectl prints nothing to say so).
fs.appendFileSync(process.env.STAND_IN_DIR + '/watching', process.pid + '\n');
process.on('SIGTERM', () => process.exit(0));
`;

const CHANGE = String.raw`
const fs = require('node:fs');
const state = process.env.STAND_IN_STATE;
const args = process.argv.slice(2).filter((a, i, all) => !['--context', '--kubeconfig'].includes(all[i - 1]) && !['--context', '--kubeconfig'].includes(a));
const read = () => JSON.parse(fs.readFileSync(state, 'utf8'));
const write = (objects) => { fs.writeFileSync(state + '.tmp', JSON.stringify(objects)); fs.renameSync(state + '.tmp', state); };
if (args[0] === 'create' && args[1] === 'namespace') {
  write([...read(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: args[2] } }]);
  process.stdout.write('namespace/' + args[2] + ' created\n');
} else if (args[0] === 'apply') {
  write([...read(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'churn-mlops-config', namespace: 'churn-mlops' }, data: {} }]);
  process.stdout.write('configmap/churn-mlops-config created\n');
} else {
  process.stderr.write('stand-in kubectl: not handled: ' + args.join(' ') + '\n');
  process.exit(1);
}
`;

export interface StandIn {
  bin: string;
  env: Record<string, string>;
  setObjects(objects: KubeObject[]): Promise<void>;
  objects(): Promise<KubeObject[]>;
  /** How many watches have begun watching the file. */
  watching(): Promise<number>;
  /** Every run: its pid and its arguments joined by spaces. */
  runs(): Promise<{ pid: number; args: string }[]>;
}

export async function standInKubectl(dir: string): Promise<StandIn> {
  const bin = join(dir, 'bin');
  const cluster = join(dir, 'cluster');
  await mkdir(bin, { recursive: true });
  await mkdir(cluster, { recursive: true });
  const state = join(cluster, 'objects.json');
  const log = join(dir, 'kubectl.log');
  await writeFile(state, '[]');
  await writeFile(log, '');
  await writeFile(join(bin, 'kubectl'), KUBECTL);
  await chmod(join(bin, 'kubectl'), 0o755);
  await writeFile(join(dir, 'watch.js'), WATCH);
  await writeFile(join(dir, 'change.js'), CHANGE);
  return {
    bin,
    env: { STAND_IN_STATE: state, STAND_IN_LOG: log, STAND_IN_DIR: dir, STAND_IN_NODE: process.execPath },
    async setObjects(objects) {
      await writeFile(`${state}.tmp`, JSON.stringify(objects));
      await rename(`${state}.tmp`, state);
    },
    objects: async () => JSON.parse(await readFile(state, 'utf8')),
    watching: async () =>
      (await readFile(join(dir, 'watching'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length,
    runs: async () =>
      (await readFile(log, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const space = line.indexOf(' ');
          return { pid: Number(line.slice(0, space)), args: line.slice(space + 1) };
        }),
  };
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
