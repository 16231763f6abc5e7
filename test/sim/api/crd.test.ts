import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from './helpers.js';

/** CustomResourceDefinitions and their custom resources, driven with the real kubectl. */
const WIDGETS = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wd]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
    additionalPrinterColumns:
    - name: Size
      type: integer
      jsonPath: .spec.size
    - name: Color
      type: string
      jsonPath: .spec.color
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        description: A widget of the simulated cluster.
        properties:
          spec:
            type: object
            description: What the widget should be.
            required: [size]
            properties:
              size:
                type: integer
                minimum: 1
                maximum: 10
                description: How big the widget is.
              color:
                type: string
                enum: [red, blue]
                default: red
              labels:
                type: object
                x-kubernetes-preserve-unknown-fields: true
          status:
            type: object
            properties:
              ready:
                type: boolean
`;

const widget = (name: string, spec: string) =>
  `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

describe('custom resources', () => {
  let home: string;
  let cluster: TestCluster;
  let k: TestCluster['kubectl'];

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'churn-labs-sim-crd-'));
    cluster = await startCluster({ home });
    k = cluster.kubectl;
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('creates a CRD, which the API server accepts and establishes', async () => {
    const created = await k(['apply', '-f', '-'], { input: WIDGETS });
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(
      /customresourcedefinition.apiextensions.k8s.io\/widgets.example.com created/,
    );
    const waited = await k([
      'wait',
      '--for=condition=Established',
      'crd/widgets.example.com',
      '--timeout=20s',
    ]);
    expect(waited.stdout).toMatch(/condition met/);
    const crd = JSON.parse((await k(['get', 'crd', 'widgets.example.com', '-o', 'json'])).stdout);
    expect(crd.status.acceptedNames).toMatchObject({ plural: 'widgets', kind: 'Widget', shortNames: ['wd'] });
    expect(crd.status.storedVersions).toEqual(['v1']);
    expect(
      crd.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`),
    ).toEqual(['NamesAccepted=True', 'Established=True']);
    expect(crd.spec.names.listKind).toBe('WidgetList');
    const resources = await k(['api-resources', '--api-group=example.com']);
    expect(resources.stdout).toMatch(/widgets\s+wd\s+example.com\/v1\s+true\s+Widget/);
  });

  it("refuses an invalid CRD with the API server's field errors", async () => {
    const bad = WIDGETS.replace('name: widgets.example.com', 'name: gadgets.example.com').replace(
      'storage: true',
      'storage: false',
    );
    const out = await k(['create', '-f', '-'], { input: bad });
    expect(out.exitCode).not.toBe(0);
    expect(out.stderr).toMatch(
      /The CustomResourceDefinition "gadgets.example.com" is invalid: \n\* metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural\+"."\+spec.group\n\* spec.versions: Invalid value: .*: must have exactly one version marked as storage version/,
    );
  });

  it('creates, lists and prints custom resources with their printer columns', async () => {
    const out = await k(['create', '-f', '-'], { input: widget('small', '  size: 2\n') });
    expect(out.stdout).toMatch(/widget.example.com\/small created/);
    const table = await k(['get', 'widgets']);
    expect(table.stdout).toMatch(/^NAME\s+SIZE\s+COLOR\s+AGE\nsmall\s+2\s+red\s+\d+s\n$/);
    expect((await k(['get', 'wd', 'small', '-o', 'jsonpath={.spec.color}'])).stdout).toBe('red');
    expect((await k(['get', 'widget.example.com/small', '-o', 'name'])).stdout).toBe(
      'widget.example.com/small\n',
    );
    expect((await k(['get', 'all', '-o', 'name'])).stdout).toMatch(/widget.example.com\/small/);
  });

  it('prunes unknown fields, with a warning, and keeps those under x-kubernetes-preserve-unknown-fields', async () => {
    const out = await k(['create', '--validate=warn', '-f', '-'], {
      input: widget('pruned', '  size: 3\n  extra: gone\n  labels:\n    anything: kept\n'),
    });
    expect(out.stderr).toMatch(/unknown field "spec.extra"/);
    expect(out.exitCode).toBe(0);
    const spec = JSON.parse((await k(['get', 'widget', 'pruned', '-o', 'json'])).stdout).spec;
    expect(spec).toEqual({ size: 3, color: 'red', labels: { anything: 'kept' } });
    // kubectl validates strictly by default: the server refuses the unknown field.
    const strict = await k(['create', '-f', '-'], {
      input: widget('strict', '  size: 3\n  extra: gone\n'),
    });
    expect(strict.stderr).toMatch(/strict decoding error: unknown field "spec.extra"/);
  });

  it("validates custom resources against the schema with 422s in the API server's words", async () => {
    const out = await k(['create', '-f', '-'], { input: widget('bad', '  size: 20\n  color: green\n') });
    expect(out.exitCode).not.toBe(0);
    expect(out.stderr).toMatch(
      /The Widget "bad" is invalid: \n\* spec.color: Unsupported value: "green": supported values: "red", "blue"\n\* spec.size: Invalid value: 20: spec.size in body should be less than or equal to 10/,
    );
    const missing = await k(['create', '-f', '-'], { input: widget('empty', '  color: blue\n') });
    expect(missing.stderr).toMatch(/The Widget "empty" is invalid: spec.size: Required value/);
    const typed = await k(['create', '-f', '-'], { input: widget('typed', '  size: big\n') });
    expect(typed.stderr).toMatch(
      /spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"/,
    );
  });

  it('patches custom resources: merge and JSON patch; a strategic merge patch is refused with 415', async () => {
    const merge = await k(['patch', 'widget', 'small', '--type=merge', '-p', '{"spec":{"size":4}}']);
    expect(merge.stdout).toMatch(/widget.example.com\/small patched/);
    const json = await k([
      'patch',
      'widget',
      'small',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/color","value":"blue"}]',
    ]);
    expect(json.exitCode).toBe(0);
    const strategic = await k(['patch', 'widget', 'small', '--type=strategic', '-p', '{"spec":{"size":5}}']);
    expect(strategic.stderr).toMatch(
      /the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/,
    );
    const spec = JSON.parse((await k(['get', 'widget', 'small', '-o', 'json'])).stdout).spec;
    expect(spec).toEqual({ size: 4, color: 'blue' });
    const label = await k(['label', 'widget', 'small', 'tier=gold']);
    expect(label.exitCode).toBe(0);
    expect((await k(['get', 'widgets', '-l', 'tier=gold', '-o', 'name'])).stdout).toBe(
      'widget.example.com/small\n',
    );
    expect(
      (await k(['get', 'widgets', '--field-selector', 'metadata.name=pruned', '-o', 'name'])).stdout,
    ).toBe('widget.example.com/pruned\n');
  });

  it('applies custom resources client-side and server-side, and writes status through its subresource', async () => {
    const client = await k(['apply', '-f', '-'], { input: widget('applied', '  size: 1\n') });
    expect(client.stdout).toMatch(/widget.example.com\/applied created/);
    const again = await k(['apply', '-f', '-'], { input: widget('applied', '  size: 6\n') });
    expect(again.stdout).toMatch(/widget.example.com\/applied configured/);
    const server = await k(['apply', '--server-side', '-f', '-'], { input: widget('ssa', '  size: 7\n') });
    expect(server.stdout).toMatch(/widget.example.com\/ssa serverside-applied/);
    const status = await k([
      'patch',
      'widget',
      'ssa',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"ready":true}}',
    ]);
    expect(status.exitCode).toBe(0);
    const ignored = await k(['patch', 'widget', 'ssa', '--type=merge', '-p', '{"status":{"ready":false}}']);
    expect(ignored.exitCode).toBe(0);
    const object = JSON.parse((await k(['get', 'widget', 'ssa', '-o', 'json'])).stdout);
    expect(object.status).toEqual({ ready: true });
    expect(object.spec.size).toBe(7);
  });

  it('keeps __proto__ and constructor as plain keys of a custom resource: nothing reaches a prototype', async () => {
    const hostile =
      '  size: 2\n  __proto__:\n    polluted: spec\n' +
      '  labels:\n    __proto__:\n      polluted: labels\n    constructor:\n      prototype:\n        polluted: labels\n';
    const out = await k(['create', '--validate=warn', '-f', '-'], { input: widget('hostile', hostile) });
    expect(out.exitCode).toBe(0);
    // Outside the preserved part the key is an unknown field, pruned with a warning as any other.
    expect(out.stderr).toMatch(/unknown field "spec.__proto__"/);
    const patched = await k([
      'patch',
      'widget',
      'hostile',
      '--type=merge',
      '-p',
      '{"__proto__":{"polluted":"top"},"spec":{"labels":{"__proto__":{"more":"yes"}}}}',
    ]);
    expect(patched.exitCode).toBe(0);
    const stored = cluster.store.get('widgets.example.com', 'default', 'hostile') as {
      spec: Record<string, unknown> & { labels: Record<string, unknown> };
    };
    expect(Object.getPrototypeOf(stored.spec.labels)).toBe(Object.prototype);
    expect(Object.hasOwn(stored.spec.labels, '__proto__')).toBe(true);
    expect(Object.hasOwn(stored.spec, '__proto__')).toBe(false);
    const spec = JSON.parse((await k(['get', 'widget', 'hostile', '-o', 'json'])).stdout).spec;
    expect(spec.labels).toEqual(
      JSON.parse(
        '{"__proto__": {"polluted": "labels", "more": "yes"}, "constructor": {"prototype": {"polluted": "labels"}}}',
      ),
    );
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { more?: unknown }).more).toBeUndefined();
  });

  it('explains a custom resource from its schema', async () => {
    const out = await k(['explain', 'widgets.spec.size']);
    expect(out.stdout).toMatch(/GROUP:\s+example.com\nKIND:\s+Widget\nVERSION:\s+v1/);
    expect(out.stdout).toMatch(/How big the widget is./);
  });

  it('deleting the CRD deletes its custom resources; the API stops serving them', async () => {
    const out = await k(['delete', 'crd', 'widgets.example.com']);
    expect(out.stdout).toMatch(/customresourcedefinition.apiextensions.k8s.io "widgets.example.com" deleted/);
    expect(cluster.store.list('widgets.example.com')).toEqual([]);
    const gone = await k(['get', 'crd', 'widgets.example.com']);
    expect(gone.stderr).toMatch(
      /customresourcedefinitions.apiextensions.k8s.io "widgets.example.com" not found/,
    );
    const res = await cluster.fetch('/apis/example.com/v1/namespaces/default/widgets');
    expect(res.status).toBe(404);
  });
});

describe('custom resources across a restart', () => {
  it('keeps the CRD and its objects, and serves them again', async () => {
    const home = await mkdtemp(join(tmpdir(), 'churn-labs-sim-crd-restart-'));
    try {
      const first = await startCluster({ home });
      await first.kubectl(['apply', '-f', '-'], { input: WIDGETS });
      await first.kubectl([
        'wait',
        '--for=condition=Established',
        'crd/widgets.example.com',
        '--timeout=20s',
      ]);
      const created = await first.kubectl(['create', '-f', '-'], { input: widget('kept', '  size: 5\n') });
      expect(created.exitCode).toBe(0);
      await first.stop();
      const second = await startCluster({ home, cacheDir: join(home, 'cache-2') });
      try {
        const out = await second.kubectl(['get', 'widgets', '-o', 'jsonpath={.items[*].spec.size}']);
        expect(out.stdout).toBe('5');
      } finally {
        await second.stop();
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }, 60_000);
});
