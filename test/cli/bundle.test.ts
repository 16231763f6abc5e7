import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

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

const inputsOf = (files: Set<string>) =>
  [...files].flatMap((f) => Object.keys(meta.outputs[f]?.inputs ?? {}));
const commandChunk = (name: string) => {
  const found = Object.keys(meta.outputs).find(
    (f) => !f.endsWith('.map') && Object.keys(meta.outputs[f]!.inputs).includes(`src/commands/${name}.ts`),
  );
  if (!found) throw new Error(`no chunk holds src/commands/${name}.ts`);
  return found;
};
const ui = (input: string) =>
  /node_modules\/(ink|react|react-reconciler|@inkjs)\//.test(input) || input.startsWith('src/tui/');

describe('the bundle', () => {
  it('loads neither Ink nor React for the non-interactive commands', () => {
    const cli = staticClosure('dist/cli.js');
    expect(inputsOf(cli).filter(ui)).toEqual([]);
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
      inputsOf(new Set([...staticClosure('dist/cli.js'), ...staticClosure(commandChunk(command))]));
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

  it('does load the terminal app for start (so the test above can fail)', () => {
    const start = commandChunk('start');
    const reachable = new Set<string>();
    const visit = (file: string) => {
      if (reachable.has(file)) return;
      reachable.add(file);
      for (const i of meta.outputs[file]?.imports ?? []) if (!i.external) visit(i.path);
    };
    visit(start);
    expect(inputsOf(reachable).some(ui)).toBe(true);
  });
});
