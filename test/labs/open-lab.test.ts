import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findExercise } from '../../src/course/course.js';
import { UserError } from '../../src/errors.js';
import { openLab, rememberLab, stepView } from '../../src/lab.js';
import { classroomKubeconfig } from './classroom.js';

describe('openLab: the namespace and the context of a lab', () => {
  let home: string;
  let savedKubeconfig: string | undefined;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'churn-labs-open-'));
    savedKubeconfig = process.env.KUBECONFIG;
    process.env.KUBECONFIG = join(home, 'none');
  });
  afterEach(async () => {
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = savedKubeconfig;
    await rm(home, { recursive: true, force: true });
  });
  const open = (options: Parameters<typeof openLab>[0] = {}) => openLab({ home, warn: () => {}, ...options });
  const write = async (name: string, text: string) => {
    const path = join(home, name);
    await writeFile(path, text);
    return path;
  };
  const usage = async (promise: Promise<unknown>) => {
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as Error).message).not.toMatch(/\n\s+at /);
    return (error as Error).message;
  };

  it('is churn-mlops on kind by default, and the course says churn-mlops', async () => {
    const lab = await open();
    expect(lab).toMatchObject({ namespace: 'churn-mlops', target: { context: 'kind-churn-labs' } });
    expect(lab.classroom).toBeUndefined();
    const deploy = findExercise(lab.course, 'deploy-system');
    expect(stepView(lab, deploy, deploy.steps[0]!).commands).toEqual([
      'kubectl create namespace churn-mlops',
    ]);
  });

  it('with --kubeconfig of a classroom learner: their context, namespace and the classroom texts, remembered for the next command', async () => {
    const file = await write('ada.kubeconfig', classroomKubeconfig('ada'));
    const lab = await open({ kubeconfig: file });
    expect(lab).toMatchObject({
      namespace: 'churn-mlops-ada',
      classroom: { learner: 'ada' },
      target: { context: 'churn-labs-ada', kubeconfig: file },
    });
    const deploy = findExercise(lab.course, 'deploy-system');
    const view = stepView(lab, deploy, deploy.steps[0]!);
    expect(view.commands).toContain('kubectl get namespace churn-mlops-ada');
    expect(view.instructions).toMatch(/instructor created it/);
    expect(deploy.steps[0]!.checks[0]).toMatchObject({ kind: 'Namespace', name: 'churn-mlops-ada' });
    expect(stepView(lab, deploy, deploy.steps[1]!).commands).toContain(
      'kubectl apply -f k8s/ -n churn-mlops-ada',
    );
    // What `start --kubeconfig` does once the lab is ready: later commands need no flag.
    await rememberLab(lab);
    expect(JSON.parse(await readFile(lab.paths.lastLab, 'utf8'))).toEqual({
      context: 'churn-labs-ada',
      kubeconfig: file,
      namespace: 'churn-mlops-ada',
    });
    const next = await open();
    expect(next).toMatchObject({ namespace: 'churn-mlops-ada', classroom: { learner: 'ada' } });
    expect(next.target).toEqual({ context: 'churn-labs-ada', kubeconfig: file });
  });

  it('a kubeconfig without the extension does not choose the context: --kubeconfig alone keeps the default lab', async () => {
    const plain = classroomKubeconfig('bob').replace(/ {4}extensions:\n[\s\S]*?(?=current-context)/, '');
    const lab = await open({ kubeconfig: await write('plain', plain) });
    expect(lab).toMatchObject({ namespace: 'churn-mlops', target: { context: 'kind-churn-labs' } });
    expect(lab.classroom).toBeUndefined();
    // A kubeconfig that names no churn-labs extension is not even parsed (kubectl judges it).
    process.env.KUBECONFIG = await write(
      'kind',
      'contexts:\n- name: kind-churn-labs\n  context: [not yaml\n',
    );
    expect(await open()).toMatchObject({ namespace: 'churn-mlops' });
  });

  it('reads the extension of the named context from every file of $KUBECONFIG, the first file winning', async () => {
    const first = await write('first', 'apiVersion: v1\nkind: Config\ncurrent-context: elsewhere\n');
    const second = await write(
      'second',
      classroomKubeconfig('cy', {
        extension: { namespace: 'team-cy', registry: 'reg.test:5000/x', storageClass: 'gp3' },
      }),
    );
    process.env.KUBECONFIG = [join(home, 'missing'), first, second].join(':');
    const lab = await open({ context: 'churn-labs-cy' });
    expect(lab).toMatchObject({ namespace: 'team-cy', registry: 'reg.test:5000/x', storageClass: 'gp3' });
    // No learner: a lab in another namespace, not a classroom.
    expect(lab.classroom).toBeUndefined();
    const rolling = findExercise(lab.course, 'rolling-update');
    expect(stepView(lab, rolling, rolling.steps[0]!).commands).toContain(
      'kubectl set image deployment/churn-api churn-api=reg.test:5000/x/churn-labs/churn-api:0.2.0 -n team-cy',
    );
  });

  it("takes lab.json's namespace, registry and class for its own context, and the extension wins over them", async () => {
    const paths = (await open()).paths;
    await writeFile(
      paths.lastLab,
      JSON.stringify({ context: 'gke-x', namespace: 'from-up', registry: 'r.test', storageClass: 'premium' }),
    );
    expect(await open()).toMatchObject({
      target: { context: 'gke-x' },
      namespace: 'from-up',
      registry: 'r.test',
      storageClass: 'premium',
    });
    // Another context: none of it.
    expect(await open({ context: 'kind-churn-labs' })).toMatchObject({ namespace: 'churn-mlops' });
    expect((await open({ context: 'kind-churn-labs' })).registry).toBeUndefined();
    process.env.KUBECONFIG = await write(
      'kc',
      classroomKubeconfig('dee', { current: 'gke-x', extension: { namespace: 'ext-ns' } }).replace(
        'name: churn-labs-dee',
        'name: gke-x',
      ),
    );
    expect(await open()).toMatchObject({ namespace: 'ext-ns', registry: 'r.test', storageClass: 'premium' });
  });

  it('refuses a broken kubeconfig, a bad extension value and an oversized file with a sentence and exit 2', async () => {
    const broken = await write(
      'broken',
      'contexts:\n- name: x\n  context:\n    extensions:\n    - name: churn-labs\n      extension: [unclosed\n',
    );
    expect(await usage(open({ kubeconfig: broken }))).toMatch(/broken is not valid YAML/);
    const injected = await write(
      'evil',
      classroomKubeconfig('eve', { extension: { learner: 'eve', namespace: 'x; rm -rf ~' } }),
    );
    expect(await usage(open({ kubeconfig: injected }))).toMatch(
      /churn-labs extension's namespace "x; rm -rf ~" is not a namespace name/,
    );
    const learner = await write('learner', classroomKubeconfig('eve', { extension: { learner: 'Eve!' } }));
    expect(await usage(open({ kubeconfig: learner }))).toMatch(/learner "Eve!"/);
    const big = await write('big', `# churn-labs\n${'#'.repeat(5 * 1024 * 1024)}\n`);
    expect(await usage(open({ kubeconfig: big }))).toMatch(/at most 4 MB/);
  });
});
