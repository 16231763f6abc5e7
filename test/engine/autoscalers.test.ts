import { describe, expect, it } from 'vitest';
import { evaluateObjectCheck, type ObjectCheck } from '../../src/course/checks.js';
import { checkSchema } from '../../src/course/schema.js';
import { type KubeObject, Snapshot } from '../../src/kube/objects.js';
import { deployment, hpa } from './fixtures.js';

const run = (spec: Record<string, unknown>, ...objects: KubeObject[]) =>
  evaluateObjectCheck(
    checkSchema.parse({ id: 'c', title: 'a check', ...spec }) as ObjectCheck,
    new Snapshot('churn-mlops', objects),
  );

/** `kubectl autoscale deployment churn-api --min=2 --max=10 --cpu-percent=70` beside churn-api-hpa. */
function autoscaled(name = 'churn-api', created = '2026-11-24T11:00:00Z'): KubeObject {
  const made = hpa(2);
  return { ...made, metadata: { ...made.metadata, name, creationTimestamp: created } };
}
const courseHpa = () => autoscaled('churn-api-hpa', '2026-11-24T10:00:00Z');

describe('replicas: a count that an HPA may own', () => {
  const three = { type: 'replicas', deployment: 'churn-api', equals: 3, hpa: 'churn-api-hpa' };

  it('without an HPA: exactly the manifest count, all ready', () => {
    expect(run(three, deployment({ replicas: 3, ready: 3 }))).toEqual({
      passed: true,
      message: 'churn-api has 3 of 3 replicas ready.',
    });
    expect(run(three, deployment({ replicas: 2, ready: 2 }))).toEqual({
      passed: false,
      message: 'churn-api asks for 2 replicas; expected 3 (no HPA scales it).',
    });
    expect(run(three, deployment({ replicas: 3, ready: 1 })).passed).toBe(false);
  });

  it('with the HPA of Exercise 4: the count it set, all ready', () => {
    expect(run(three, deployment({ replicas: 2, ready: 2 }), courseHpa())).toEqual({
      passed: true,
      message: 'churn-api has 2 of 2 replicas ready; HPA churn-api-hpa owns the replica count (2 to 10).',
    });
    expect(run(three, deployment({ replicas: 2, ready: 1 }), courseHpa())).toEqual({
      passed: false,
      message:
        'churn-api has 1 of 2 replicas ready; expected all 2 (HPA churn-api-hpa owns the replica count (2 to 10)).',
    });
  });

  it('with a second HPA on churn-api: names the one to delete, whichever was made first', () => {
    const message =
      'HPA churn-api also scales Deployment churn-api, beside churn-api-hpa: with more than one HPA on a Deployment none acts (AmbiguousSelector). Delete the extra one: kubectl delete hpa churn-api -n churn-mlops';
    expect(run(three, deployment({ replicas: 2, ready: 2 }), courseHpa(), autoscaled())).toEqual({
      passed: false,
      message,
    });
    expect(
      run(
        three,
        deployment({ replicas: 2, ready: 2 }),
        autoscaled('churn-api', '2026-11-24T09:00:00Z'),
        courseHpa(),
      ).message,
    ).toBe(message);
    // One HPA of another name is an HPA all the same: it owns the count.
    expect(run(three, deployment({ replicas: 2, ready: 2 }), autoscaled()).passed).toBe(true);
  });
});

describe('oneAutoscaler', () => {
  const only = { type: 'oneAutoscaler', deployment: 'churn-api', hpa: 'churn-api-hpa' };

  it('passes with the course HPA alone, or none yet', () => {
    expect(run(only, courseHpa())).toEqual({
      passed: true,
      message: 'churn-api-hpa is the only HPA that scales Deployment churn-api.',
    });
    expect(run(only).passed).toBe(true);
  });

  it('names any other HPA on the Deployment, with the command that deletes it', () => {
    expect(run(only, courseHpa(), autoscaled())).toEqual({
      passed: false,
      message:
        'HPA churn-api also scales Deployment churn-api, beside churn-api-hpa: with more than one HPA on a Deployment none acts (AmbiguousSelector). Delete the extra one: kubectl delete hpa churn-api -n churn-mlops',
    });
    expect(run(only, autoscaled())).toEqual({
      passed: false,
      message:
        'HPA churn-api scales Deployment churn-api, where this exercise has churn-api-hpa do it. Delete it: kubectl delete hpa churn-api -n churn-mlops',
    });
    // An HPA on another Deployment is not in the way.
    const elsewhere = autoscaled('load-hpa');
    elsewhere.spec.scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'load-generator' };
    expect(run(only, courseHpa(), elsewhere).passed).toBe(true);
  });
});
