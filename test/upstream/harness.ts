import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, inject, test } from 'vitest';
import { type Output, startUpstreamCluster, type UpstreamCluster } from './cluster.js';
import { bashMatch, grepMatch, shellWords } from './shell.js';

/**
 * Kubernetes' own kubectl tests (test/cmd/*.sh with hack/lib/test.sh), run against the simulated
 * cluster. Each upstream function is one vitest test; each of its checks is an assertion that is
 * recorded rather than thrown, so one run counts them all. A function fails when an assertion fails
 * that its `explained` list does not name (with the reason), like a failure of upstream's suite.
 */

export type Status = 'passed' | 'failed' | 'explained' | 'skipped';

export interface AssertionRecord {
  fn: string;
  description: string;
  status: Status;
  /** Why it is explained or skipped. */
  reason?: string;
  /** What was expected and what came back. */
  detail?: string;
}

export interface Explained {
  /** Matched against a failing assertion's description (a substring, or a regular expression). */
  match: string | RegExp;
  reason: string;
}

export interface FunctionResult {
  fn: string;
  lines: string;
  skipped?: string;
  seconds: number;
  records: AssertionRecord[];
  /** Explanations that no failure used: the simulator may have caught up. */
  unusedExplanations: string[];
}

export interface FileResult {
  file: string;
  functions: FunctionResult[];
}

// Upstream's field helpers (test/cmd/legacy-script.sh), under the same names.
export const id_field = '.metadata.name';
export const labels_field = '.metadata.labels';
export const annotations_field = '.metadata.annotations';
export const service_selector_field = '.spec.selector';
export const rc_replicas_field = '.spec.replicas';
export const rc_status_replicas_field = '.status.replicas';
export const rc_container_image_field = '.spec.template.spec.containers';
export const rs_replicas_field = '.spec.replicas';
export const port_field = '(index .spec.ports 0).port';
export const port_name = '(index .spec.ports 0).name';
export const second_port_field = '(index .spec.ports 1).port';
export const second_port_name = '(index .spec.ports 1).name';
export const image_field = '(index .spec.containers 0).image';
export const pod_container_name_field = '(index .spec.containers 0).name';
export const container_name_field = '(index .spec.template.spec.containers 0).name';
export const hpa_min_field = '.spec.minReplicas';
export const hpa_max_field = '.spec.maxReplicas';
export const hpa_cpu_field = '(index .spec.metrics 0).resource.target.averageUtilization';
export const template_labels = '.spec.template.metadata.labels.name';
export const statefulset_replicas_field = '.spec.replicas';
export const statefulset_observed_generation = '.status.observedGeneration';
export const job_parallelism_field = '.spec.parallelism';
export const deployment_replicas = '.spec.replicas';
export const secret_data = '.data';
export const secret_type = '.type';
export const change_cause_annotation = '.*kubernetes.io/change-cause.*';
export const pdb_min_available = '.spec.minAvailable';
export const pdb_max_unavailable = '.spec.maxUnavailable';
export const generation_field = '.metadata.generation';
export const container_len = '(len .spec.template.spec.containers)';
export const image_field0 = '(index .spec.template.spec.containers 0).image';
export const image_field1 = '(index .spec.template.spec.containers 1).image';

// Upstream's images (legacy-script.sh); the simulated node runs any image as an idle container.
export const IMAGE_NGINX = 'registry.k8s.io/nginx:1.7.9';
export const IMAGE_DEPLOYMENT_R1 = 'registry.k8s.io/nginx:test-cmd';
export const IMAGE_DEPLOYMENT_R2 = IMAGE_NGINX;
export const IMAGE_PERL = 'registry.k8s.io/perl';
export const IMAGE_PAUSE_V2 = 'registry.k8s.io/pause:2.0';
export const IMAGE_DAEMONSET_R2 = 'registry.k8s.io/pause:latest';
export const IMAGE_DAEMONSET_R2_2 = 'registry.k8s.io/nginx:test-cmd';
export const IMAGE_STATEFULSET_R1 = 'registry.k8s.io/nginx-slim:0.7';
export const IMAGE_STATEFULSET_R2 = 'registry.k8s.io/nginx-slim:0.8';

const clip = (text: string) => (text.length > 1500 ? `${text.slice(0, 1500)}…` : text);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** One upstream function's run: its assertions, in order, against the file's cluster. */
export class Session {
  readonly records: AssertionRecord[] = [];
  private readonly used = new Set<Explained>();
  private readonly notServed: string[] = [];

  constructor(
    private readonly cluster: UpstreamCluster,
    readonly fn: string,
    private readonly explained: Explained[],
    private readonly served: Set<string>,
  ) {}

  /** Records one check; a failure is matched against the explained list. */
  record(description: string, ok: boolean, detail?: string): boolean {
    if (ok) {
      this.records.push({ fn: this.fn, description, status: 'passed' });
      return true;
    }
    const until = this.notServed.at(-1);
    const explanation = this.explained.find((e) =>
      typeof e.match === 'string' ? description.includes(e.match) : e.match.test(description),
    );
    if (until) {
      this.records.push({
        fn: this.fn,
        description,
        status: 'explained',
        reason: `${until} not served by the simulator yet`,
        detail,
      });
    } else if (explanation) {
      this.used.add(explanation);
      this.records.push({
        fn: this.fn,
        description,
        status: 'explained',
        reason: explanation.reason,
        detail,
      });
    } else {
      this.records.push({ fn: this.fn, description, status: 'failed', detail });
    }
    return false;
  }

  /** An upstream check that cannot run here, with the reason. */
  skip(description: string, reason: string): void {
    this.records.push({ fn: this.fn, description, status: 'skipped', reason });
  }

  unusedExplanations(): string[] {
    return this.explained.filter((e) => !this.used.has(e)).map((e) => `${String(e.match)}: ${e.reason}`);
  }

  /** Runs kubectl without judging it (upstream's `|| true`, or a command whose output is checked). */
  run(command: string | string[], options: RunOptions = {}): Promise<Output> {
    const args = typeof command === 'string' ? shellWords(command) : command;
    return this.cluster.kubectl(args, options);
  }

  /** A command upstream runs under `set -o errexit`: it must succeed. */
  async kubectl(command: string | string[], options: RunOptions = {}): Promise<Output> {
    const out = await this.run(command, options);
    this.record(`kubectl ${show(command)}`, out.exitCode === 0, `exit ${out.exitCode}: ${clip(out.all)}`);
    return out;
  }

  /** `! kubectl ...`: the command must fail. Returns what it printed (2>&1). */
  async fails(command: string | string[], options: RunOptions = {}): Promise<Output> {
    const out = await this.run(command, options);
    this.record(`! kubectl ${show(command)}`, out.exitCode !== 0, `exit 0: ${clip(out.all)}`);
    return out;
  }

  /** create_and_use_new_namespace (legacy-script.sh). */
  async createAndUseNewNamespace(): Promise<string> {
    const name = `namespace-${Math.floor(Date.now() / 1000)}-${Math.floor(Math.random() * 32768)}`;
    await this.kubectl(['create', 'namespace', name]);
    await this.kubectl(['config', 'set-context', this.cluster.context, `--namespace=${name}`]);
    return name;
  }

  /** kube::test::get_object_assert. */
  getObjectAssert(object: string, request: string, expected: string, args = ''): Promise<boolean> {
    return this.objectAssert(1, object, request, expected, args);
  }

  /** kube::test::wait_object_assert: the same query, ten tries, sleeping 0..9 s in between. */
  waitObjectAssert(object: string, request: string, expected: string, args = ''): Promise<boolean> {
    return this.objectAssert(10, object, request, expected, args);
  }

  private async objectAssert(
    tries: number,
    object: string,
    request: string,
    expected: string,
    args: string,
  ): Promise<boolean> {
    let res = '';
    for (let j = 1; j <= tries; j++) {
      const out = await this.run([
        'get',
        ...shellWords(args),
        ...shellWords(object),
        '-o',
        `go-template=${request}`,
      ]);
      res = trimNewlines(out.stdout);
      if (bashMatch(res, expected)) break;
      if (j < tries) await sleep((j - 1) * 1000);
    }
    return this.record(
      `get ${object} ${request}${args ? ` ${args}` : ''} =~ ${expected}`,
      bashMatch(res, expected),
      `expected: ${expected}\ngot:      ${clip(res)}`,
    );
  }

  /** kube::test::get_object_jsonpath_assert. */
  async getObjectJsonpathAssert(object: string, request: string, expected: string): Promise<boolean> {
    const out = await this.run(['get', ...shellWords(object), '-o', `jsonpath=${request}`]);
    const res = trimNewlines(out.stdout);
    return this.record(
      `get ${object} jsonpath ${request} =~ ${expected}`,
      bashMatch(res, expected),
      `expected: ${expected}\ngot:      ${clip(res)}`,
    );
  }

  /** kube::test::describe_object_assert: every match is found (grep) in the description. */
  async describeObjectAssert(resource: string, object: string, ...matches: string[]): Promise<boolean> {
    const out = await this.run(['describe', ...shellWords(resource), ...shellWords(object)]);
    const result = trimNewlines(out.stdout);
    const missing = matches.find((m) => !grepMatch(result, m));
    return this.record(
      `describe ${resource} ${object} has ${matches.join(', ')}`,
      missing === undefined,
      `no match for ${missing} in:\n${clip(out.all)}`,
    );
  }

  /** kube::test::describe_resource_assert. */
  async describeResourceAssert(resource: string, ...matches: string[]): Promise<boolean> {
    const out = await this.run(['describe', ...shellWords(resource)]);
    const result = trimNewlines(out.stdout);
    const missing = matches.find((m) => !grepMatch(result, m));
    return this.record(
      `describe ${resource} has ${matches.join(', ')}`,
      missing === undefined,
      `no match for ${missing} in:\n${clip(out.all)}`,
    );
  }

  /** kube::test::describe_object_events_assert. */
  async describeObjectEventsAssert(resource: string, object: string, showEvents?: boolean): Promise<boolean> {
    const flags = showEvents === undefined ? [] : [`--show-events=${showEvents}`];
    const out = await this.run(['describe', ...flags, ...shellWords(resource), ...shellWords(object)]);
    const hasEvents = grepMatch(out.stdout, 'No events.\\|Events:');
    return this.record(
      `describe ${flags.join(' ')} ${resource} ${object} events shown=${showEvents ?? true}`,
      hasEvents === (showEvents ?? true),
      clip(out.all),
    );
  }

  /** kube::test::describe_resource_events_assert. */
  async describeResourceEventsAssert(resource: string, showEvents = true): Promise<boolean> {
    const out = await this.run(['describe', `--show-events=${showEvents}`, ...shellWords(resource)]);
    const hasEvents = grepMatch(out.stdout, 'No events.\\|Events:');
    return this.record(
      `describe --show-events=${showEvents} ${resource} events`,
      hasEvents === showEvents,
      clip(out.all),
    );
  }

  /**
   * kube::test::describe_resource_chunk_size_assert: `describe` lists the resource and each
   * additional one with limit=500 by default, and with the --chunk-size given.
   */
  async describeResourceChunkSizeAssert(resource: string, additional = '', args = ''): Promise<boolean> {
    const expectLists = [resource, ...additional.split(',').filter((r) => r !== '')];
    const byDefault = await this.run([
      'describe',
      resource,
      '--show-events=true',
      '-v=6',
      ...shellWords(args),
    ]);
    const missing = expectLists.find((r) => !grepMatch(byDefault.stderr, `${r}?.*limit=500`));
    const custom = await this.run([
      'describe',
      resource,
      '--show-events=false',
      '--chunk-size=10',
      '-v=6',
      ...shellWords(args),
    ]);
    const customOk = grepMatch(custom.stderr, `${resource}?limit=10`);
    return this.record(
      `describe ${resource} chunk size (${expectLists.join(',')})`,
      missing === undefined && customOk,
      missing
        ? `no limit=500 list of ${missing} in:\n${clip(byDefault.stderr)}`
        : `no ${resource}?limit=10 in:\n${clip(custom.stderr)}`,
    );
  }

  /** A file of the function's own (upstream's mktemp, process substitution, /tmp/...). */
  async tempFile(name: string, content: string | Buffer, mode?: number): Promise<string> {
    const file = join(this.cluster.home, `${this.fn}-${name}`);
    await writeFile(file, content, { mode });
    return file;
  }

  /** kube::test::if_has_string (grep). */
  ifHasString(message: string | Output, match: string): boolean {
    const text = typeof message === 'string' ? message : message.all;
    return this.record(`has string "${match}"`, grepMatch(text, match), `not in:\n${clip(text)}`);
  }

  /** `grep -q PATTERN <<< "$(...)"` under errexit. */
  grepQ(message: string | Output, pattern: string): boolean {
    const text = typeof message === 'string' ? message : message.stdout;
    return this.record(`grep -q "${pattern}"`, grepMatch(text, pattern), `not in:\n${clip(text)}`);
  }

  /** kube::test::if_has_not_string. */
  ifHasNotString(message: string | Output, match: string): boolean {
    const text = typeof message === 'string' ? message : message.all;
    return this.record(`has not string "${match}"`, !grepMatch(text, match), `found in:\n${clip(text)}`);
  }

  /** kube::test::if_empty_string. */
  ifEmptyString(message: string | Output): boolean {
    const text = typeof message === 'string' ? message : message.stdout;
    return this.record('empty string', text.trim() === '', `not empty:\n${clip(text)}`);
  }

  /** kube::test::if_sort_by_has_correct_order: first column, header skipped, joined with ':'. */
  ifSortByHasCorrectOrder(message: string | Output, expected: string): boolean {
    const text = typeof message === 'string' ? message : message.stdout;
    const names = text
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/)[0] ?? '')
      .filter((name) => name !== '');
    const joined = `${names.join(':')}:`;
    return this.record(`sort order "${expected}"`, grepMatch(joined, expected), `got ${joined}`);
  }

  /** An upstream `[ "$a" == "$b" ]` or a similar plain test. */
  check(description: string, ok: boolean, detail = ''): boolean {
    return this.record(description, ok, detail);
  }

  /**
   * Cases for a kind the simulator does not serve yet: their failures are explained by that; once
   * the kind is served (discovery lists it), they count like any other.
   */
  async untilServed(resource: string, body: () => Promise<void>): Promise<void> {
    const pending = !this.served.has(resource);
    if (pending) this.notServed.push(resource);
    try {
      await body();
    } finally {
      if (pending) this.notServed.pop();
    }
  }
}

function show(command: string | string[]): string {
  return typeof command === 'string' ? command : command.map((w) => (/\s/.test(w) ? `'${w}'` : w)).join(' ');
}

/** `$(...)` drops the trailing newlines. */
function trimNewlines(text: string): string {
  return text.replace(/\n+$/, '');
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
}

export interface FunctionOptions {
  /** Where the function is upstream, e.g. "test/cmd/core.sh:26-520". */
  lines: string;
  /** Failures that are understood, each with its reason (see FAILURES.md). */
  explained?: Explained[];
  /** Minutes the function may take. */
  minutes?: number;
}

/**
 * One upstream test file (e.g. core.sh): one simulated cluster for all its functions, which run in
 * upstream's order, each in its own namespace as upstream's do.
 */
export function upstreamFile(file: string) {
  let cluster: UpstreamCluster | undefined;
  let served = new Set<string>();
  const result: FileResult = { file, functions: [] };

  beforeAll(async () => {
    cluster = await startUpstreamCluster();
    const names = await cluster.kubectl(['api-resources', '-o', 'name']);
    served = new Set(names.stdout.split('\n').map((n) => n.split('.')[0]!));
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    const dir = inject('upstreamResults');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${file}.json`), JSON.stringify(result, null, 2));
  }, 60_000);

  return {
    /** An upstream function, ported. */
    fn(name: string, options: FunctionOptions, body: (s: Session) => Promise<void>): void {
      test(
        name,
        async () => {
          const session = new Session(cluster!, name, options.explained ?? [], served);
          const started = Date.now();
          try {
            await body(session);
          } catch (error) {
            session.record(`${name} ran to its end`, false, String(error));
          } finally {
            result.functions.push({
              fn: name,
              lines: options.lines,
              seconds: (Date.now() - started) / 1000,
              records: session.records,
              unusedExplanations: session.unusedExplanations(),
            });
          }
          const failed = session.records.filter((r) => r.status === 'failed');
          if (failed.length > 0)
            throw new Error(
              `${failed.length} unexplained failure(s) in ${name}:\n` +
                failed.map((f) => `- ${f.description}\n  ${f.detail ?? ''}`).join('\n'),
            );
        },
        (options.minutes ?? 5) * 60_000,
      );
    },
    /** An upstream function left out, with the reason. */
    skip(name: string, lines: string, reason: string): void {
      result.functions.push({
        fn: name,
        lines,
        skipped: reason,
        seconds: 0,
        records: [],
        unusedExplanations: [],
      });
      test.skip(`${name}: ${reason}`, () => {});
    },
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    upstreamResults: string;
  }
}
