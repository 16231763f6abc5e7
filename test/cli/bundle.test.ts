import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { churnLabs, tempHome } from './helpers.js';

/**
 * Non-interactive commands must not load the terminal app: Ink and React cost start-up time that
 * `list` or `check` should never pay. This reads the bundle's import graph (dist/meta.json, written
 * by the build) and follows the static imports from the CLI through each command's chunk.
 */
type Meta = {
  outputs: Record<
    string,
    {
      imports: { path: string; kind: string; external?: boolean }[];
      inputs: Record<string, unknown>;
      entryPoint?: string;
    }
  >;
};
const meta = JSON.parse(readFileSync('dist/meta.json', 'utf8')) as Meta;

function staticClosure(start: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of meta.outputs[file]?.imports ?? [])
      if (!i.external && i.kind !== 'dynamic-import') visit(i.path);
  };
  visit(start);
  return seen;
}

/** Everything a chunk may load as it runs, dynamic imports included. */
function fullClosure(start: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of meta.outputs[file]?.imports ?? []) if (!i.external) visit(i.path);
  };
  visit(start);
  return seen;
}

const inputsOf = (files: Set<string>) =>
  [...files].flatMap((f) => Object.keys(meta.outputs[f]?.inputs ?? {}));
const chunkOf = (source: string) => {
  const found = Object.keys(meta.outputs).find(
    (f) => !f.endsWith('.map') && Object.keys(meta.outputs[f]!.inputs).includes(source),
  );
  if (!found) throw new Error(`no chunk holds ${source}`);
  return found;
};
const commandChunk = (name: string) => chunkOf(`src/commands/${name}.ts`);
/** What every command but a bare `start` loads first: the entry point, then the argument parser. */
const entry = () =>
  new Set([
    ...staticClosure('dist/cli.js'),
    ...staticClosure(chunkOf('src/program.ts')),
    ...staticClosure(chunkOf('src/arguments.ts')),
  ]);
const ui = (input: string) =>
  /node_modules\/(ink|react|react-reconciler|@inkjs)\//.test(input) || input.startsWith('src/tui/');

describe('the bundle', () => {
  it('loads neither Ink nor React for the non-interactive commands', () => {
    expect(inputsOf(entry()).filter(ui)).toEqual([]);
    for (const command of [
      'list',
      'check',
      'solve',
      'hint',
      'quiz',
      'progress',
      'reset',
      'doctor',
      'up',
      'down',
      'sim',
    ]) {
      const loaded = inputsOf(staticClosure(commandChunk(command)));
      expect(loaded.filter(ui), command).toEqual([]);
    }
  });

  it('keeps the schemas and the YAML parser out of the start-up path of list, and of check', () => {
    const startup = (command: string) =>
      inputsOf(new Set([...entry(), ...staticClosure(commandChunk(command))]));
    expect(startup('list').filter((i) => /node_modules\/(zod|yaml|execa|jsonpath-plus)\//.test(i))).toEqual(
      [],
    );
    // check reads the compiled course (dist/course.json); it loads execa for kubectl when it runs.
    for (const command of ['check', 'hint', 'solve'])
      expect(
        startup(command).filter((i) => /node_modules\/(zod|yaml)\//.test(i)),
        command,
      ).toEqual([]);
  });

  it('loads the English model for short answers only when one is graded, by a dynamic import', () => {
    const model = (i: string) => /node_modules\/wink-(nlp|eng-lite-web-model)\//.test(i);
    expect(inputsOf(entry()).filter(model)).toEqual([]);
    // Not with the quiz command, nor with the terminal app (its quiz screen included)...
    for (const command of ['quiz', 'start', 'list', 'check'])
      expect(inputsOf(staticClosure(commandChunk(command))).filter(model), command).toEqual([]);
    expect(inputsOf(staticClosure(chunkOf('src/tui/screens/quiz/Quiz.tsx'))).filter(model)).toEqual([]);
    // ...but both reach it when they grade a short answer (so the test above can fail).
    expect(inputsOf(fullClosure(commandChunk('quiz'))).some(model)).toBe(true);
    expect(inputsOf(fullClosure(commandChunk('start'))).some(model)).toBe(true);
  });

  it('opens the terminal app for a bare start without loading the argument parser', () => {
    // program.ts reaches the parser (commander) only by a dynamic import; start is reached without it.
    const startup = inputsOf(
      new Set([...staticClosure('dist/cli.js'), ...staticClosure(chunkOf('src/program.ts'))]),
    );
    expect(startup.filter((i) => i.includes('node_modules/commander/'))).toEqual([]);
    expect(
      inputsOf(staticClosure(chunkOf('src/arguments.ts'))).some((i) => i.includes('node_modules/commander/')),
    ).toBe(true);
    const program = meta.outputs[chunkOf('src/program.ts')]!.imports;
    expect(program.some((i) => i.kind === 'dynamic-import' && i.path === commandChunk('start'))).toBe(true);
  });

  it('does load the terminal app for start (so the test above can fail)', () => {
    expect(inputsOf(fullClosure(commandChunk('start'))).some(ui)).toBe(true);
  });

  it('switches on the compile cache before it loads anything of its own', () => {
    // enableCompileCache() only caches the modules loaded after it runs: the entry point must
    // import nothing but Node's module API statically, and reach the program dynamically.
    const imports = meta.outputs['dist/cli.js']!.imports;
    expect(imports.filter((i) => i.kind !== 'dynamic-import').map((i) => i.path)).toEqual(['node:module']);
    expect(imports.some((i) => i.path === chunkOf('src/program.ts'))).toBe(true);
    expect(readFileSync('dist/cli.js', 'utf8')).toMatch(/enableCompileCache\?\.\(\)/);
  });

  it('never imports node:http as an ES module on the way of check or start', () => {
    // On Node 22 and newer that import reads every export of node:http, and its WebSocket
    // export loads undici: some 50 ms of start-up. The cluster code require()s it instead.
    const httpImporters = (start: string) =>
      [...fullClosure(start)].filter((file) =>
        meta.outputs[file]?.imports.some((i) => i.external && /^node:https?$/.test(i.path)),
      );
    expect(httpImporters(commandChunk('check'))).toEqual([]);
    const startChunks = fullClosure(commandChunk('start'));
    const proxy = chunkOf('src/cluster/api-proxy.ts');
    expect(startChunks.has(proxy)).toBe(true);
    expect(httpImporters(proxy)).toEqual([]);
  });
});

describe('the start-up of check, as it runs', () => {
  it('loads node:http only for the checks that send HTTP requests', async () => {
    // Node's own list of the built-in modules this process loaded, read as it exits.
    const hook = `data:text/javascript,process.on('exit',()=>process.stderr.write('loaded:'+process.moduleLoadList.join(',')))`;
    const env = await tempHome();
    try {
      const file = join(env.home, 'kubeconfig');
      await writeFile(
        file,
        'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\ncurrent-context: ""\n',
      );
      // deploy-system reads objects only; the missing context still runs the whole check path.
      const result = await churnLabs(['check', 'deploy-system', '--kubeconfig', file, '--json'], {
        home: env.home,
        env: { NODE_OPTIONS: `--import=${hook}` },
      });
      const loaded = /loaded:(.*)$/.exec(String(result.stderr))?.[1]?.split(',') ?? [];
      expect(JSON.parse(String(result.stdout)).error).toMatch(/^There is no kube context/);
      expect(loaded).toContain('NativeModule child_process');
      expect(loaded).not.toContain('NativeModule http');
    } finally {
      await env.cleanup();
    }
  });
});
