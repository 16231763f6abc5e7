import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTool } from '../../src/cluster/tool.js';
import { startFeed } from '../../src/tui/live/feed.js';
import { until } from './harness.js';
import { isRunning } from './stand-in-kubectl.js';

/**
 * The feed with real processes standing in for `kubectl get --watch-only`: a script that prints
 * a line each time a file appears and ends when told to.
 */
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'churn-labs-feed-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const WATCHER = `
const fs = require('node:fs');
const [dir, kind] = process.argv.slice(1);
fs.appendFileSync(dir + '/pids', process.pid + ' ' + kind + '\\n');
setInterval(() => {
  if (fs.existsSync(dir + '/change-' + kind)) { fs.rmSync(dir + '/change-' + kind); console.log(kind + '/x'); }
  if (fs.existsSync(dir + '/end-' + kind)) { fs.rmSync(dir + '/end-' + kind); process.exit(0); }
}, 20);
`;

const pids = async () => {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(join(dir, 'pids'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [pid, kind] = line.split(' ');
      return { pid: Number(pid), kind: kind! };
    });
};

describe('the change feed', () => {
  it('starts one watch per kind, reports each line as a change, restarts a watch that ends, and stops them all', async () => {
    const changes: string[] = [];
    const seenArgs: string[][] = [];
    const stop = startFeed({
      target: { context: 'churn-labs-sim' },
      namespace: 'churn-mlops',
      kinds: ['Pod', 'Deployment', 'Pod', 'Namespace'],
      onChange: (kind) => changes.push(kind),
      start: (_target, args, options) => {
        seenArgs.push([...args]);
        const kind = args[1]!;
        return startTool(process.execPath, ['-e', WATCHER, dir, kind], options);
      },
    });
    await until(async () => (await pids()).length === 3, 'three watches');
    expect(seenArgs).toContainEqual(['get', 'pods', '--watch-only', '-o', 'name', '-n', 'churn-mlops']);
    expect(seenArgs).toContainEqual([
      'get',
      'deployments.apps',
      '--watch-only',
      '-o',
      'name',
      '-n',
      'churn-mlops',
    ]);
    // Namespaces are cluster-wide: no -n.
    expect(seenArgs).toContainEqual(['get', 'namespaces', '--watch-only', '-o', 'name']);

    await writeFile(join(dir, 'change-pods'), '');
    await until(() => changes.includes('Pod'), 'the pod change');

    // The API server closes a watch: it counts as a change, and the watch starts again.
    changes.length = 0;
    await writeFile(join(dir, 'end-deployments.apps'), '');
    await until(() => changes.includes('Deployment'), 'the end to count as a change');
    await until(
      async () => (await pids()).filter((p) => p.kind === 'deployments.apps').length === 2,
      'the restart',
    );

    const started = await pids();
    await stop();
    for (const { pid } of started) expect(isRunning(pid)).toBe(false);
    // Nothing starts again after stop.
    expect((await pids()).length).toBe(started.length);
  });

  it('counts a watch coming up as one change, for what changed before it began; a watch that fails at once does not', async () => {
    const changes: string[] = [];
    const started = Date.now();
    const stop = startFeed({
      target: { context: 'churn-labs-sim' },
      namespace: 'churn-mlops',
      kinds: ['Pod', 'Namespace'],
      onChange: (kind) => changes.push(kind),
      start: (_target, args, options) =>
        args[1] === 'pods'
          ? startTool(process.execPath, ['-e', WATCHER, dir, 'pods'], options)
          : startTool(process.execPath, ['-e', 'process.exit(1)'], options),
    });
    try {
      // The pod watch prints nothing, yet once it is up the app is told to look again.
      await until(() => changes.includes('Pod'), 'the catch-up change', 10_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
      expect(changes).toEqual(['Pod']);
    } finally {
      await stop();
    }
  });
});
