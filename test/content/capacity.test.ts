import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  COURSE_CPU_PEAK,
  COURSE_CPUS,
  COURSE_MEMORY_BYTES,
  COURSE_MEMORY_PEAK,
  type CourseManifests,
  type CourseReplay,
  capacityVerdict,
  commandEffects,
  coursePeaks,
  METRICS_SERVER_POD,
  NODE_UNREQUESTED_MEMORY_BYTES,
  PLATFORM_PODS,
  replayCourse,
  SMOKE_POD,
} from '../../src/course/capacity.js';
import type { Exercise } from '../../src/course/schema.js';
import { readSources } from '../../src/files/course-files.js';
import { parseCourse } from '../../src/files/parse-course.js';
import type { KubeObject } from '../../src/kube/objects.js';
import { MANIFESTS, manifestFiles } from './manifest-files.js';

/**
 * The course must fit on the laptop most learners have: Docker Desktop with 4 CPUs and 6 GB. The
 * kind node's allocatable is then 4000m of CPU and Docker's MemTotal of memory ("6 GB" in Docker
 * Desktop's settings is a little less once the VM's kernel has taken its part; 5.4 GiB here).
 */
const LAPTOP = { cpuMilli: 4000, memoryBytes: 5.4 * 1024 ** 3 };
const MiB = 1024 ** 2;

const objects = (text: string) =>
  parseAllDocuments(text)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
const manifests: CourseManifests = {
  read: (path) =>
    (path === '' ? manifestFiles(MANIFESTS, false) : [join(MANIFESTS, path)]).flatMap((file) =>
      objects(readFileSync(file, 'utf8')),
    ),
  // A heredoc of the course as a learner of the default lab gets it.
  parse: (text) =>
    objects(text.replaceAll('{{namespace}}', 'churn-mlops').replaceAll('{{images}}', 'churn-labs')),
};

const exercises = parseCourse(readSources()).exercises.filter((e) => !e.incident);
const replay = replayCourse(exercises, manifests);

const cores = (milli: number) => (milli / 1000).toFixed(2);
const table = (r: CourseReplay) =>
  r.exercises
    .map(
      (e) =>
        `${e.number} ${e.exercise}: ${cores(e.cpu.cpuMilli)} CPU (${e.cpu.step}: ${e.cpu.what}), ` +
        `${Math.round(e.memory.memoryBytes / MiB)}Mi (${e.memory.step}: ${e.memory.what})`,
    )
    .join('\n');

/** What does not fit the laptop, exercise by exercise. */
function overLaptop(r: CourseReplay): string[] {
  return r.exercises.flatMap((e) => [
    ...(e.cpu.cpuMilli > LAPTOP.cpuMilli
      ? [`${e.exercise}: ${cores(e.cpu.cpuMilli)} CPUs at ${e.cpu.what}`]
      : []),
    ...(e.memory.memoryBytes + NODE_UNREQUESTED_MEMORY_BYTES > LAPTOP.memoryBytes
      ? [`${e.exercise}: ${Math.round(e.memory.memoryBytes / MiB)}Mi requested at ${e.memory.what}`]
      : []),
  ]);
}

describe('the course on a 4-CPU, 6 GB Docker Desktop', () => {
  it('fits in course order, every exercise, beside the kind node’s own pods and metrics-server', () => {
    expect(replay.exercises.map((e) => e.exercise)).toEqual(exercises.map((e) => e.id));
    expect(overLaptop(replay), table(replay)).toEqual([]);
  });

  it('leaves autoscale-load room for the HPA to start more API pods than its minimum', () => {
    // The lab says some of the HPA's new pods may stay Pending; at least one must run, or the
    // learner sees no scale-up happen.
    const load = replay.exercises.find((e) => e.exercise === 'autoscale-load')!;
    const api = load.cpu.groups.find((g) => g.name === 'churn-api')!;
    expect(api.pods).toBe(2);
    expect(
      Math.floor((LAPTOP.cpuMilli - load.cpu.cpuMilli) / api.cpuMilli),
      table(replay),
    ).toBeGreaterThanOrEqual(1);
  });

  it('would not fit without the last step of scale-api: the rollout of Exercise 5 and the Job of cronjob-admin find no room', () => {
    // The course before that step: the HPA keeps the 5 replicas of Exercise 4 for 5 minutes.
    const without: Exercise[] = exercises.map((e) =>
      e.id === 'scale-api' ? { ...e, steps: e.steps.filter((s) => s.id !== 'scale-down') } : e,
    );
    expect(without.find((e) => e.id === 'scale-api')!.steps).toHaveLength(2);
    expect(overLaptop(replayCourse(without, manifests))).toEqual([
      'rolling-update: 4.06 CPUs at rolling out churn-api (1 extra pod)',
      'cronjob-admin: 4.06 CPUs at Job manual-batch-1 made from CronJob churn-batch-score',
    ]);
  });

  it('has the peaks src/course/capacity.ts writes out for doctor', () => {
    expect(replay.platform).toEqual(PLATFORM_PODS);
    expect(coursePeaks(replay)).toEqual({ cpu: COURSE_CPU_PEAK, memory: COURSE_MEMORY_PEAK });
    expect(COURSE_CPUS).toBe(4);
    expect(COURSE_MEMORY_BYTES).toBeLessThanOrEqual(LAPTOP.memoryBytes);
  });

  it('is what doctor asks of Docker: enough at the peak passes, less names the exercise that does not fit', () => {
    expect(capacityVerdict(COURSE_CPUS, COURSE_MEMORY_BYTES).ok).toBe(true);
    const cpu = capacityVerdict(COURSE_CPUS - 1, undefined);
    expect(cpu.ok).toBe(false);
    expect(cpu.cpu?.detail).toMatch(
      new RegExp(
        `^Docker has ${COURSE_CPUS - 1} CPUs; Exercise ${COURSE_CPU_PEAK.number} \\(${COURSE_CPU_PEAK.exercise}\\) requests`,
      ),
    );
    const memory = capacityVerdict(undefined, COURSE_MEMORY_BYTES - 1);
    expect(memory.ok).toBe(false);
    expect(memory.memory?.detail).toMatch(
      new RegExp(`Exercise ${COURSE_MEMORY_PEAK.number} \\(${COURSE_MEMORY_PEAK.exercise}\\) needs about`),
    );
  });
});

describe('what the replay counts', () => {
  it('metrics-server as its manifest asks, and the smoke pod as churn-labs up makes it', () => {
    expect(replay.platform).toContainEqual(METRICS_SERVER_POD);
    const smoke = readFileSync('src/cluster/environment/smoke.ts', 'utf8');
    expect(smoke).toContain(
      `requests: { cpu: '${SMOKE_POD.cpuMilli}m', memory: '${SMOKE_POD.memoryBytes / MiB}Mi' }`,
    );
  });

  it('the kind node whose own pods it knows (kind v0.27, Kubernetes 1.32): a new node image means checking them again', () => {
    const config = readFileSync(join(MANIFESTS, 'platform/kind-config.yaml'), 'utf8');
    expect(config).toMatch(/image: kindest\/node:v1\.32\.\d+@sha256:/);
  });

  it('refuses a command that changes what runs when it does not know what it does', () => {
    expect(() => commandEffects('kubectl run x --image=nginx', manifests, 'here')).toThrow(
      /does not know what "kubectl run x --image=nginx" does/,
    );
    expect(() => commandEffects('kubectl apply -f other/', manifests, 'here')).toThrow(/manifest path/);
    expect(commandEffects('kubectl get pods -n churn-mlops -w', manifests, 'here')).toEqual([]);
    expect(
      commandEffects(
        'kubectl create job --from=cronjob/churn-batch-score manual-batch -n churn-mlops && kubectl wait --for=condition=complete job/manual-batch -n churn-mlops --timeout=110s',
        manifests,
        'here',
      ),
    ).toEqual([
      { type: 'job-from-cronjob', cronJob: 'churn-batch-score', name: 'manual-batch' },
      { type: 'finished', name: 'manual-batch' },
    ]);
  });
});

describe("doctor's verdict on Docker's CPUs and memory", () => {
  it('a 4-CPU, 6 GB Docker Desktop is enough', () => {
    const verdict = capacityVerdict(4, LAPTOP.memoryBytes);
    expect(verdict.ok, verdict.detail).toBe(true);
    expect(verdict.cpu?.detail).toBe(
      "Docker has 4 CPUs; the labs request 3.56 at their peak (Exercise 4, scale-api: 5 churn-api pods × 500m beside the kind node's own pods and metrics-server (1.06))",
    );
  });

  it('says which exercise does not fit on fewer CPUs, and how many it needs', () => {
    const verdict = capacityVerdict(3, undefined);
    expect(verdict.ok).toBe(false);
    expect(verdict.memory).toBeUndefined();
    expect(verdict.detail).toBe(
      "Docker has 3 CPUs; Exercise 4 (scale-api) requests 3.56 CPUs (5 churn-api pods × 500m beside the kind node's own pods and metrics-server (1.06)), so it needs 4: a pod that does not fit stays Pending",
    );
  });

  it('says which exercise does not fit in less memory', () => {
    const verdict = capacityVerdict(undefined, 3.8 * 1024 ** 3);
    expect(verdict.ok).toBe(false);
    expect(verdict.detail).toBe(
      "Docker has 3.8 GiB; Exercise 3 (batch-job) needs about 4.0 GiB (3 churn-api pods × 512Mi and manual-batch 1Gi, beside the kind node's own pods and metrics-server (0.5 GiB), and about 1.0 GiB the node uses unrequested)",
    );
  });
});
