import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/kube/errors.js';
import { canonicalQuantity, parseQuantity } from '../../../src/kube/quantity.js';
import {
  formatLabelSelector,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from '../../../src/kube/selectors.js';
import { serverSideApply } from '../../../src/sim/patch/apply.js';
import { applyJsonPatch } from '../../../src/sim/patch/json-patch.js';
import { applyMergePatch } from '../../../src/sim/patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../../src/sim/patch/strategic.js';
import { definition } from '../../../src/sim/schema/schema.js';

/** The patch engines, quantities and selectors, directly (the kubectl tests cover them end to end). */
const DEPLOYMENT = definition('io.k8s.api.apps.v1.Deployment');
const POD = definition('io.k8s.api.core.v1.Pod');

const live = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', labels: { app: 'api' }, finalizers: ['a', 'b'] },
  spec: {
    replicas: 2,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      spec: {
        containers: [
          {
            name: 'api',
            image: 'api:1',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
            ports: [{ containerPort: 8000, protocol: 'TCP' }],
          },
          { name: 'side', image: 'side:1' },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
      },
    },
  },
});

describe('strategic merge patch', () => {
  it('merges containers by name and env by name, keeping what the patch does not name', () => {
    const out = applyStrategicMergePatch(
      live(),
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'api',
                  image: 'api:2',
                  env: [
                    { name: 'B', value: 'two' },
                    { name: 'C', value: '3' },
                  ],
                },
              ],
            },
          },
        },
      },
      DEPLOYMENT,
    );
    const [api, side] = out.spec.template.spec.containers;
    expect(api.image).toBe('api:2');
    expect(api.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'two' },
      { name: 'C', value: '3' },
    ]);
    expect(api.ports).toEqual([{ containerPort: 8000, protocol: 'TCP' }]);
    expect(side).toEqual({ name: 'side', image: 'side:1' });
  });

  it('$patch: delete removes a list item, $patch: replace a whole list or map', () => {
    const deleted = applyStrategicMergePatch(
      live(),
      { spec: { template: { spec: { containers: [{ name: 'side', $patch: 'delete' }] } } } },
      DEPLOYMENT,
    );
    expect(deleted.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['api']);
    const replaced = applyStrategicMergePatch(
      live(),
      { spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } } } },
      DEPLOYMENT,
    );
    expect(replaced.spec.template.spec.containers).toEqual([{ name: 'only', image: 'x' }]);
    const map = applyStrategicMergePatch(
      live(),
      { metadata: { labels: { $patch: 'replace', tier: 'web' } } },
      DEPLOYMENT,
    );
    expect(map.metadata.labels).toEqual({ tier: 'web' });
  });

  it('$setElementOrder orders the list as kubectl apply asks, $retainKeys drops the other keys', () => {
    const ordered = applyStrategicMergePatch(
      live(),
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'side' }, { name: 'api' }],
              containers: [{ name: 'side', image: 'side:2' }],
            },
          },
        },
      },
      DEPLOYMENT,
    );
    expect(
      ordered.spec.template.spec.containers.map(
        (c: { name: string; image: string }) => `${c.name}=${c.image}`,
      ),
    ).toEqual(['side=side:2', 'api=api:1']);
    const recreate = applyStrategicMergePatch(
      live(),
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } },
      DEPLOYMENT,
    );
    expect(recreate.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('$deleteFromPrimitiveList and primitive merge lists (finalizers), null removes a field', () => {
    const out = applyStrategicMergePatch(
      live(),
      {
        metadata: { finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['a'] },
        spec: { replicas: null },
      },
      DEPLOYMENT,
    );
    // Items the patch names come first, as strategicpatch's mergeSortedSlice orders them.
    expect(out.metadata.finalizers).toEqual(['c', 'b']);
    expect(out.spec.replicas).toBeUndefined();
  });

  it('lists without a merge strategy replace whole (args, pod conditions by type merge)', () => {
    const pod = {
      spec: { containers: [{ name: 'c', args: ['a', 'b'] }] },
      status: {
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'PodScheduled', status: 'True' },
        ],
      },
    };
    const out = applyStrategicMergePatch(
      pod,
      {
        spec: { containers: [{ name: 'c', args: ['z'] }] },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      },
      POD,
    );
    expect(out.spec.containers[0].args).toEqual(['z']);
    expect(out.status.conditions).toEqual([
      { type: 'Ready', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ]);
  });
});

describe('JSON patch and merge patch', () => {
  it('applies the operations of RFC 6902, and fails a test or a missing path with 422', () => {
    const doc = { spec: { template: { metadata: { labels: { a: '1' } } }, list: [1, 2] } };
    const out = applyJsonPatch(doc, [
      { op: 'replace', path: '/spec/template', value: { metadata: { labels: { b: '2' } } } },
      { op: 'add', path: '/spec/list/-', value: 3 },
      { op: 'add', path: '/spec/list/0', value: 0 },
      { op: 'remove', path: '/spec/list/1' },
      { op: 'copy', from: '/spec/list', path: '/spec/copy' },
      { op: 'move', from: '/spec/copy', path: '/moved' },
      { op: 'add', path: '/metadata~1x', value: 'escaped' },
      { op: 'test', path: '/moved/0', value: 0 },
    ]);
    expect(out).toEqual({
      spec: { template: { metadata: { labels: { b: '2' } } }, list: [0, 2, 3] },
      moved: [0, 2, 3],
      'metadata/x': 'escaped',
    });
    expect(doc.spec.list).toEqual([1, 2]);
    for (const bad of [
      [{ op: 'test', path: '/spec/list/0', value: 9 }],
      [{ op: 'replace', path: '/nope/deeper', value: 1 }],
    ]) {
      try {
        applyJsonPatch(doc, bad);
        expect.unreachable();
      } catch (error) {
        expect((error as ApiError).code).toBe(422);
      }
    }
  });

  it('merge patch: maps merge, null deletes, lists replace (RFC 7386)', () => {
    expect(applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 4 }, l: [3] })).toEqual({
      a: { c: 2, d: 4 },
      l: [3],
    });
  });
});

describe('server-side apply', () => {
  const config = (labels: Record<string, string>, env: { name: string; value: string }[]) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', labels },
    spec: { template: { spec: { containers: [{ name: 'api', image: 'api:1', env }] } } },
  });

  it('records the applied fields and removes the ones a later apply leaves out, keeping others', () => {
    const first = serverSideApply(
      undefined,
      config({ app: 'api', tier: 'web' }, [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ]),
      DEPLOYMENT,
      'kubectl',
    );
    expect(first.metadata.managedFields[0]).toMatchObject({
      manager: 'kubectl',
      operation: 'Apply',
      fieldsType: 'FieldsV1',
    });
    expect(
      first.metadata.managedFields[0].fieldsV1['f:spec']['f:template']['f:spec']['f:containers'][
        'k:{"name":"api"}'
      ]['f:env'],
    ).toHaveProperty(['k:{"name":"B"}']);
    // Someone else adds a label; the applier drops `tier` and env B.
    first.metadata.labels.extra = 'x';
    const second = serverSideApply(
      first,
      config({ app: 'api' }, [{ name: 'A', value: '1' }]),
      DEPLOYMENT,
      'kubectl',
    );
    expect(second.metadata.labels).toEqual({ app: 'api', extra: 'x' });
    expect(second.spec.template.spec.containers[0].env).toEqual([{ name: 'A', value: '1' }]);
    expect(second.metadata.managedFields).toHaveLength(1);
  });
});

describe('quantities and selectors', () => {
  it('canonical quantities as resource.Quantity.String prints them', () => {
    const cases: [unknown, string][] = [
      ['1000m', '1'],
      ['1500m', '1500m'],
      ['0.5', '500m'],
      [0.25, '250m'],
      ['1000', '1k'],
      ['1024Mi', '1Gi'],
      ['1536Mi', '1536Mi'],
      ['0.5Ki', '512'],
      ['1e3', '1e3'],
      ['0', '0'],
    ];
    for (const [input, output] of cases) expect(canonicalQuantity(input), String(input)).toBe(output);
    expect(canonicalQuantity('12 apples')).toBeUndefined();
    expect(parseQuantity('512Mi')).toBe(512 * 1024 * 1024);
    expect(parseQuantity('250m')).toBe(0.25);
  });

  it('label selectors with every operator, and the API error for a bad one', () => {
    const selector = parseLabelSelector(
      'app=api,tier!=db,env in (prod,staging),!legacy,team,zone notin (eu)',
    );
    expect(matchesLabels(selector, { app: 'api', env: 'prod', team: 'ml', zone: 'us' })).toBe(true);
    expect(matchesLabels(selector, { app: 'api', env: 'dev', team: 'ml' })).toBe(false);
    expect(matchesLabels(selector, { app: 'api', env: 'prod', team: 'ml', legacy: 'y' })).toBe(false);
    expect(() => parseLabelSelector('app=(x')).toThrow(ApiError);
    expect(
      formatLabelSelector({
        matchLabels: { b: '2', a: '1' },
        matchExpressions: [{ key: 'c', operator: 'In', values: ['y', 'x'] }],
      }),
    ).toBe('a=1,b=2,c in (x,y)');
    expect(parseFieldSelector('involvedObject.name=api,type!=Normal')).toEqual([
      { field: 'involvedObject.name', op: '=', value: 'api' },
      { field: 'type', op: '!=', value: 'Normal' },
    ]);
  });
});

describe('malformed strategic merge directives', () => {
  it("refuses them in strategicpatch's words: 400, invalid patch format", () => {
    const refused = (patch: object) => {
      try {
        applyStrategicMergePatch(live(), patch, DEPLOYMENT);
      } catch (error) {
        return error instanceof ApiError ? `${error.code} ${error.message}` : String(error);
      }
      return 'accepted';
    };
    expect(refused({ metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } })).toBe(
      '400 invalid patch format of primitive list',
    );
    expect(
      refused({ spec: { template: { spec: { '$setElementOrder/containers': { name: 'api' } } } } }),
    ).toBe('400 invalid patch format of setElementOrder list');
    expect(refused({ spec: { strategy: { $retainKeys: 'type' } } })).toBe(
      '400 invalid patch format of retainKeys',
    );
    expect(refused({ metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } })).toBe('accepted');
  });
});
