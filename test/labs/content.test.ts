import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imagesPrefix, renderExercise } from '../../src/course/render.js';
import type { Exercise } from '../../src/course/schema.js';
import { loadCourse, readSources } from '../../src/files/course-files.js';
import { parseCourse } from '../../src/files/parse-course.js';
import { typeProblems } from '../content/kubernetes-types.js';
import { containersOf, MANIFESTS, type ManifestDocument, readDocuments } from '../content/manifest-files.js';

/** The ids and order of the command-line contract (cli-contract.md, "Course identifiers"). */
const CONTRACT_ORDER = [
  'deploy-system',
  'test-api',
  'batch-job',
  'scale-api',
  'rolling-update',
  'cronjob-admin',
  'health-probes',
  'resources-qos',
  'persistent-storage',
  'autoscale-load',
];

// Parsed from the files every time (not the compiled dist/course.json), so a mistake in a lab
// fails here with its file and line.
const course = parseCourse(readSources());
// The ten exercises; the incidents after them have tests of their own (test/incidents/).
const exercises = course.exercises.filter((e) => !e.incident);
const byId = (id: string) => exercises.find((e) => e.id === id)!;
/** An exercise as openLab shows it on a learner's own cluster: namespace churn-mlops, kind's images. */
const defaultLab = (id: string) =>
  renderExercise(byId(id), {
    namespace: 'churn-mlops',
    images: imagesPrefix(undefined),
    workspace: '/workspace',
    context: 'kind-churn-labs',
  });

/** Every command of a step in both modes: what the learner types and what `solve` runs. */
const allCommands = (exercise: Exercise) =>
  exercise.steps.flatMap((s) => [
    ...s.commands,
    ...s.solution,
    ...(s.simulated?.commands ?? []),
    ...(s.simulated?.solution ?? []),
    ...(s.classroom?.commands ?? []),
    ...(s.classroom?.solution ?? []),
  ]);
const solutions = (exercise: Exercise, simulated: boolean) =>
  exercise.steps.flatMap((s) => (simulated ? (s.simulated?.solution ?? s.solution) : s.solution));

describe('the ten exercises', () => {
  it('load and validate, with the contract ids in the contract order', async () => {
    expect(exercises.map((e) => e.id)).toEqual(CONTRACT_ORDER);
    // As every command loads them (the compiled course when it is up to date).
    expect((await loadCourse()).exercises.filter((e) => !e.incident).map((e) => e.id)).toEqual(
      CONTRACT_ORDER,
    );
    const files = readdirSync(join(process.cwd(), 'labs')).filter((f) => f.endsWith('.yaml'));
    expect(files).toEqual(CONTRACT_ORDER.map((id, i) => `${String(i + 1).padStart(2, '0')}-${id}.yaml`));
  });

  it('require only exercises that come before them', () => {
    for (const [i, exercise] of exercises.entries()) {
      for (const required of exercise.requires) {
        expect(CONTRACT_ORDER.indexOf(required), `${exercise.id} requires ${required}`).toBeLessThan(i);
      }
      if (i > 0) expect(exercise.requires.length, exercise.id).toBeGreaterThan(0);
    }
  });

  it('give every step instructions, commands, titled checks, 2 to 4 hints and a solution', () => {
    for (const exercise of exercises) {
      expect(exercise.differences.length, exercise.id).toBeGreaterThan(0);
      // The lab's namespace: churn-mlops, or a classroom learner's (see the namespace test below).
      expect(exercise.namespace).toBeUndefined();
      for (const step of exercise.steps) {
        const where = `${exercise.id}/${step.id}`;
        expect(step.commands.length, where).toBeGreaterThan(0);
        expect(step.hints.length, where).toBeGreaterThanOrEqual(2);
        expect(step.hints.length, where).toBeLessThanOrEqual(4);
        expect(step.solution.length, where).toBeGreaterThan(0);
        for (const check of step.checks)
          expect(check.title.length, `${where}/${check.id}`).toBeGreaterThan(10);
      }
    }
  });

  it('use only the template names the engine fills in', () => {
    for (const exercise of exercises) {
      const texts = [
        exercise.intro,
        ...exercise.differences,
        ...exercise.steps.flatMap((s) => [
          s.instructions,
          s.simulated?.instructions ?? '',
          s.classroom?.instructions ?? '',
          ...(s.classroom?.hints ?? []),
          ...s.hints,
          ...allCommands({ ...exercise, steps: [s] }),
        ]),
      ];
      for (const text of texts) {
        for (const [name] of text.matchAll(/\{\{[^}]*\}\}/g))
          expect(
            ['{{workspace}}', '{{namespace}}', '{{images}}', '{{context}}'],
            `${exercise.id}: ${name}`,
          ).toContain(name);
      }
    }
  });

  it('write solutions that need no terminal and never block: no watch, no port-forward, waits within the 120 s a command may take', () => {
    for (const exercise of exercises) {
      for (const simulated of [false, true]) {
        for (const command of solutions(exercise, simulated)) {
          const where = `${exercise.id}: ${command}`;
          expect(command, where).not.toMatch(/\s(-w|--watch)(\s|$)|port-forward|logs -f|\bcurl\b/);
          if (/\bkubectl (wait|rollout status)\b/.test(command)) {
            const timeout = /--timeout=(\d+)s/.exec(command);
            expect(timeout, where).not.toBeNull();
            expect(Number(timeout![1]), where).toBeLessThanOrEqual(110);
          }
        }
      }
    }
  });

  it("show the seed's commands verbatim for its five exercises (our image names only)", () => {
    const commands = (id: string) => defaultLab(id).steps.flatMap((s) => s.commands);
    expect(commands('deploy-system')).toEqual(
      expect.arrayContaining([
        'kubectl create namespace churn-mlops',
        'kubectl apply -f k8s/ -n churn-mlops',
        'kubectl get all -n churn-mlops',
        'kubectl get pods -n churn-mlops',
      ]),
    );
    expect(commands('test-api')).toEqual(
      expect.arrayContaining([
        'kubectl port-forward -n churn-mlops svc/churn-api 8000:8000',
        'curl http://localhost:8000/health',
      ]),
    );
    expect(commands('test-api').join('\n')).toContain('curl -X POST http://localhost:8000/predict');
    expect(commands('batch-job')).toEqual([
      'kubectl create job --from=cronjob/churn-batch-score manual-batch -n churn-mlops',
      'kubectl get jobs -n churn-mlops -w',
      'kubectl logs job/manual-batch -n churn-mlops',
      'kubectl exec -n churn-mlops deployment/churn-api -- ls /app/data/predictions',
    ]);
    expect(commands('scale-api')[0]).toBe('kubectl scale deployment churn-api --replicas=5 -n churn-mlops');
    expect(commands('scale-api')[2]).toMatch(
      /^cat <<EOF \| kubectl apply -f -\n[\s\S]*averageUtilization: 70\nEOF$/,
    );
    expect(commands('rolling-update')).toEqual([
      'kubectl set image deployment/churn-api churn-api=churn-labs/churn-api:0.2.0 -n churn-mlops',
      'kubectl rollout status deployment/churn-api -n churn-mlops',
      'kubectl rollout history deployment/churn-api -n churn-mlops',
      'kubectl rollout undo deployment/churn-api -n churn-mlops',
      'kubectl rollout status deployment/churn-api -n churn-mlops',
      'kubectl rollout history deployment/churn-api -n churn-mlops',
    ]);
  });

  it("keep the course text's port-forward and curl on the simulated cluster too (it forwards ports)", () => {
    for (const exercise of exercises) {
      for (const step of exercise.steps) {
        const usesForward = step.commands.some((c) => /port-forward|localhost:8000/.test(c));
        if (usesForward) expect(step.simulated?.commands, `${exercise.id}/${step.id}`).toBeUndefined();
      }
    }
  });

  it("never call /health or /predict from a check (the learner's own request is the proof)", () => {
    for (const exercise of exercises) {
      for (const check of exercise.steps.flatMap((s) => s.checks)) {
        if (check.type === 'http')
          expect(check.path, `${exercise.id}/${check.id}`).not.toMatch(/^\/(health|predict)/);
      }
    }
  });
});

describe('the manifests the exercises provide (manifests/exercises/)', () => {
  const dir = join(MANIFESTS, 'exercises');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  const docs: ManifestDocument[] = files.flatMap((f) => readDocuments(join(dir, f)));
  const pod = (name: string) => docs.find((d) => d.kind === 'Pod' && d.name === name)!;
  const resources = (name: string) =>
    (containersOf(pod(name))[0] as { resources?: { requests?: object; limits?: object } }).resources;

  it('are every file an exercise names, and nothing else', () => {
    const named = new Set(
      exercises
        .flatMap(allCommands)
        .flatMap((c) => [...c.matchAll(/k8s\/exercises\/([\w.-]+\.yaml)/g)].map((m) => m[1]!)),
    );
    expect([...named].sort()).toEqual([...files].sort());
  });

  it('are valid Kubernetes objects with no unknown field', async () => {
    const problems: string[] = [];
    for (const doc of docs) {
      const module = (await import(
        /* @vite-ignore */ `kubernetes-models/${doc.apiVersion}/${doc.kind}`
      )) as Record<string, new (data: unknown) => { validate(): void }>;
      try {
        new module[doc.kind]!(doc.body).validate();
      } catch (error) {
        problems.push(`${doc.where}: ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
    expect(typeProblems(docs)).toEqual([]);
  });

  it('live in churn-mlops, run our pinned images and never pull', () => {
    for (const doc of docs) {
      expect((doc.body.metadata as { namespace?: string }).namespace, doc.where).toBe('churn-mlops');
      for (const container of containersOf(doc)) {
        expect(container.image, doc.where).toMatch(/^churn-labs\/churn-(api|ml):0\.1\.0$/);
        expect(container.imagePullPolicy, doc.where).toBe('IfNotPresent');
      }
      // Not part of the API: a demo pod must never become an endpoint of the Service churn-api.
      expect((doc.body.metadata as { labels?: Record<string, string> }).labels?.app, doc.where).not.toBe(
        'churn-api',
      );
    }
  });

  it('give the QoS pods the resources of their class', () => {
    const guaranteed = resources('qos-guaranteed')!;
    expect(guaranteed.requests).toEqual(guaranteed.limits);
    expect(Object.keys(guaranteed.limits!).sort()).toEqual(['cpu', 'memory']);
    expect(resources('qos-besteffort')).toBeUndefined();
  });

  it('make the batch-score pods differ only in name and memory limit (96Mi: too small; 256Mi: fits)', () => {
    const oom = pod('batch-score-oom').body;
    const fits = pod('batch-score-fits').body;
    expect(resources('batch-score-oom')!.limits).toMatchObject({ memory: '96Mi' });
    expect(resources('batch-score-fits')!.limits).toMatchObject({ memory: '256Mi' });
    const normalize = (body: Record<string, unknown>) =>
      JSON.stringify(body)
        .replace(/batch-score-(oom|fits)/g, 'NAME')
        .replace(/"(96|256)Mi"/, '"LIMIT"');
    expect(normalize(fits)).toBe(normalize(oom));
    expect((oom.spec as { restartPolicy?: string }).restartPolicy).toBe('Never');
    expect(containersOf(pod('batch-score-oom'))[0]!.command).toEqual([
      'churn-mlops',
      'batch-score',
      '--users',
      '1000000',
    ]);
  });

  it('run the load generator as `churn-mlops load`, aimed at the Service by its environment', () => {
    const generator = docs.find((d) => d.name === 'load-generator')!;
    expect(generator.kind).toBe('Deployment');
    const [container] = containersOf(generator);
    expect((container!.command as string[]).slice(0, 2)).toEqual(['churn-mlops', 'load']);
    expect(container!.command).not.toContain('--url');
  });
});

describe('the course in any namespace', () => {
  // A classroom learner's lab: another namespace, images from a registry.
  const values = {
    namespace: 'churn-mlops-ada',
    images: imagesPrefix('registry.test:5000/team'),
    workspace: '/workspace',
    context: 'churn-labs-ada',
  };
  /** Every string under a value with where it is. */
  const strings = (value: unknown, where: string): [string, string][] => {
    if (typeof value === 'string') return [[where, value]];
    if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${where}.${i}`));
    if (value && typeof value === 'object')
      return Object.entries(value).flatMap(([k, v]) => strings(v, `${where}.${k}`));
    return [];
  };
  // What churn-mlops names when it is not the namespace: the system, the workload's command and
  // its label, the names of its objects (churn-mlops-pvc, churn-mlops-config).
  const notNamespace =
    /churn-mlops (system|course|workload|keeps|load|api|batch-score|check-drift|train-candidate|promote-model|seed-model|--version)\b|part-of: churn-mlops\b|`churn-mlops` (system|workload|bin)/g;

  it('leaves no hard-coded namespace churn-mlops in any exercise or incident: {{namespace}} stands for it', () => {
    const found: string[] = [];
    for (const exercise of course.exercises) {
      const rendered = renderExercise(exercise, values);
      for (const [where, text] of strings(rendered, exercise.id)) {
        const rest = text.replace(notNamespace, '');
        for (const match of rest.matchAll(/churn-mlops(?![-\w])/g))
          found.push(`${where}: …${rest.slice(Math.max(0, match.index - 40), match.index + 20)}…`);
      }
    }
    expect(found).toEqual([]);
  });

  it('names the course images as {{images}}/churn-…, so a registry reaches every command and check', () => {
    const found: string[] = [];
    for (const exercise of course.exercises) {
      const { differences: _shownAsWritten, ...rendered } = renderExercise(exercise, values);
      for (const [where, text] of strings(rendered, exercise.id))
        if (/(?<![\w./:-])churn-labs\/churn-(api|ml):/.test(text))
          found.push(`${where}: ${text.slice(0, 120)}`);
    }
    expect(found).toEqual([]);
  });

  it('fills the namespace into commands, check names and expectations, and matches a filled regex literally', () => {
    const deploy = renderExercise(byId('deploy-system'), values);
    const step = deploy.steps[0]!;
    expect(step.commands).toContain('kubectl create namespace churn-mlops-ada');
    expect(step.checks[0]).toMatchObject({ kind: 'Namespace', name: 'churn-mlops-ada' });
    expect(step.checks[0]!.title).toContain('churn-mlops-ada');
    const rolling = renderExercise(byId('rolling-update'), values);
    expect(JSON.stringify(rolling)).toContain('registry.test:5000/team/churn-labs/churn-api:0.2.0');
    expect(JSON.stringify(rolling)).not.toContain('{{');
    // The claim an incident's solution makes asks for the lab's class: kind's standard by default.
    const volume = course.exercises.find((e) => e.id === 'incident-volume-pending')!;
    expect(JSON.stringify(renderExercise(volume, { ...values, storageClass: 'gp3' }))).toContain(
      'storageClassName: gp3\\n',
    );
    expect(JSON.stringify(renderExercise(volume, values))).toContain('storageClassName: standard\\n');
    // In a regular expression (a logs or fields check) the value is matched as written.
    const logs = renderExercise(
      {
        ...byId('deploy-system'),
        steps: [
          {
            ...step,
            checks: [{ id: 'l', title: 'logs', type: 'logs', target: 'job/x', pattern: 'pull {{images}}/a' }],
          },
        ],
      } as Exercise,
      values,
    );
    expect(logs.steps[0]!.checks[0]).toMatchObject({
      pattern: 'pull registry\\.test:5000/team/churn-labs/a',
    });
  });

  it('asks a classroom learner for nothing of the node that their access does not show', () => {
    // A learner may get nodes, but not list the pods of every namespace: `kubectl describe node`
    // shows them its Capacity and Allocatable, then `Pods: not authorized` and no Allocated
    // resources (a real API server and the simulated one alike; test/classroom/class.test.ts).
    const found: string[] = [];
    for (const exercise of course.exercises)
      for (const step of exercise.steps) {
        const room = step.classroom;
        const shown = [
          room?.instructions ?? step.instructions,
          ...(room?.commands ?? step.commands),
          ...(room?.solution ?? step.solution),
        ];
        for (const text of shown)
          if (/Allocated resources/.test(text) || /kubectl describe nodes?\s*$/m.test(text))
            found.push(`${exercise.id}/${step.id}: ${text.slice(0, 100)}`);
      }
    expect(found).toEqual([]);
  });
});
