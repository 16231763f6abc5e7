import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/main.js';
import { kubectlOf } from './helpers.js';

/**
 * The control plane as the real kubectl sees it, through the simulator's API server and node: what
 * `kubectl rollout status`, `rollout history` and `rollout undo` print and do. The pods run an image
 * the simulated node does not know (nginx), which it keeps Running and Ready without a process.
 */
let home: string;
let sim: Simulator;

const kubectl = kubectlOf(() => ({ kubeconfig: sim.kubeconfig, context: sim.context, home }), 60_000);

const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  strategy:
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests: { cpu: 50m, memory: 32Mi }
`;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'churn-labs-kubectl-'));
  sim = await startSimulator({ home });
  writeFileSync(join(home, 'web.yaml'), manifest);
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('the control plane through kubectl', () => {
  it('rolls out, updates, shows history and rolls back as on a real cluster', async () => {
    expect((await kubectl('apply', '-f', join(home, 'web.yaml'))).out).toBe('deployment.apps/web created');
    const first = await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    expect(first.code).toBe(0);
    expect(first.out.split('\n').at(-1)).toBe('deployment "web" successfully rolled out');

    expect((await kubectl('set', 'image', 'deployment/web', 'web=nginx:1.28')).out).toBe(
      'deployment.apps/web image updated',
    );
    const second = await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s');
    expect(second.code).toBe(0);
    expect(second.out.split('\n').at(-1)).toBe('deployment "web" successfully rolled out');

    const history = await kubectl('rollout', 'history', 'deployment/web');
    expect(history.out).toMatch(/^deployment\.apps\/web \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

    expect((await kubectl('rollout', 'undo', 'deployment/web')).out).toBe('deployment.apps/web rolled back');
    expect((await kubectl('rollout', 'status', 'deployment/web', '--timeout=60s')).code).toBe(0);
    const rs = JSON.parse((await kubectl('get', 'rs', '-l', 'app=web', '-o', 'json')).out) as {
      items: {
        spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
        metadata: { annotations: Record<string, string> };
      }[];
    };
    expect(rs.items).toHaveLength(2);
    const back = rs.items.find((r) => r.spec.template.spec.containers[0]!.image === 'nginx:1.27')!;
    expect(back.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(back.metadata.annotations['deployment.kubernetes.io/revision-history']).toBe('1');
    expect(back.spec.replicas).toBe(2);
    const after = await kubectl('rollout', 'history', 'deployment/web');
    expect(after.out).toMatch(/\n2\s+<none>\n3\s+<none>/);

    const undoTwice = await kubectl(
      'get',
      'deployment',
      'web',
      '-o',
      'jsonpath={.status.updatedReplicas}/{.status.availableReplicas}',
    );
    expect(undoTwice.out).toBe('2/2');
  }, 120_000);
});
