// Generates src/sim/schema/definitions.json: the OpenAPI v3 component schemas of every type the
// simulated cluster serves, from the .d.ts files of kubernetes-models (a dev dependency), plus the
// patch and list metadata (x-kubernetes-patch-*, x-kubernetes-list-*) that the Kubernetes Go types
// carry as struct tags and kubernetes-models drops. The simulator validates requests against these
// schemas (unknown fields, types, enums, required fields) and serves them at /openapi/v3.
//
// Run once after upgrading kubernetes-models: node scripts/generate-sim-schema.mjs
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const models = join(root, 'node_modules/kubernetes-models');
const machinery = join(root, 'node_modules/@kubernetes-models/apimachinery');
const output = join(root, 'src/sim/schema/definitions.json');

/** The kinds the simulator serves: the roots of the type graph. */
const ROOTS = [
  'v1/Namespace',
  'v1/Pod',
  'v1/Service',
  'v1/Endpoints',
  'v1/ConfigMap',
  'v1/Secret',
  'v1/PersistentVolumeClaim',
  'v1/PersistentVolume',
  'v1/Event',
  'v1/Node',
  'v1/Binding',
  'v1/ReplicationController',
  'v1/ResourceQuota',
  'v1/LimitRange',
  'apps/v1/Deployment',
  'apps/v1/ReplicaSet',
  'apps/v1/ControllerRevision',
  'apps/v1/DaemonSet',
  'apps/v1/StatefulSet',
  'batch/v1/Job',
  'batch/v1/CronJob',
  'autoscaling/v2/HorizontalPodAutoscaler',
  'autoscaling/v1/HorizontalPodAutoscaler',
  'autoscaling/v1/Scale',
  'discovery.k8s.io/v1/EndpointSlice',
  'storage.k8s.io/v1/StorageClass',
  'policy/v1/Eviction',
  'events.k8s.io/v1/Event',
  'coordination.k8s.io/v1/Lease',
  'networking.k8s.io/v1/Ingress',
  'v1/ServiceAccount',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
  'authentication.k8s.io/v1/TokenRequest',
  'authentication.k8s.io/v1/SelfSubjectReview',
  'authorization.k8s.io/v1/SelfSubjectAccessReview',
  'authorization.k8s.io/v1/SelfSubjectRulesReview',
  'authorization.k8s.io/v1/SubjectAccessReview',
  'authorization.k8s.io/v1/LocalSubjectAccessReview',
  'authentication.k8s.io/v1/TokenReview',
];
// The list of each served kind too: the list operations' responses (OpenAPI v3 and the v2 JSON).
for (const root of [...ROOTS]) {
  if (!/\/Binding|Eviction|Scale|events\.k8s\.io|^authentication|^authorization/.test(root))
    ROOTS.push(`${root}List`);
}

/**
 * Patch strategies and list types from the Go struct tags (k8s.io/api, 1.32). Lists not named here
 * are atomic: replaced whole by a patch.
 */
const PATCH = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta.finalizers': { strategy: 'merge', listType: 'set' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta.ownerReferences': {
    strategy: 'merge',
    key: 'uid',
    keys: ['uid'],
  },
  'io.k8s.api.core.v1.PodSpec.volumes': { strategy: 'merge,retainKeys', key: 'name', keys: ['name'] },
  'io.k8s.api.core.v1.PodSpec.initContainers': { strategy: 'merge', key: 'name', keys: ['name'] },
  'io.k8s.api.core.v1.PodSpec.containers': { strategy: 'merge', key: 'name', keys: ['name'] },
  'io.k8s.api.core.v1.PodSpec.ephemeralContainers': { strategy: 'merge', key: 'name', keys: ['name'] },
  'io.k8s.api.core.v1.PodSpec.imagePullSecrets': { strategy: 'merge', key: 'name', keys: ['name'] },
  'io.k8s.api.core.v1.PodSpec.hostAliases': { strategy: 'merge', key: 'ip', keys: ['ip'] },
  'io.k8s.api.core.v1.PodSpec.topologySpreadConstraints': {
    strategy: 'merge',
    key: 'topologyKey',
    keys: ['topologyKey', 'whenUnsatisfiable'],
  },
  'io.k8s.api.core.v1.PodSpec.resourceClaims': { strategy: 'merge,retainKeys', key: 'name', keys: ['name'] },
  'io.k8s.api.core.v1.PodSpec.schedulingGates': { strategy: 'merge', key: 'name', keys: ['name'] },
  'io.k8s.api.core.v1.Container.ports': {
    strategy: 'merge',
    key: 'containerPort',
    keys: ['containerPort', 'protocol'],
  },
  'io.k8s.api.core.v1.Container.env': { strategy: 'merge', key: 'name', keys: ['name'] },
  'io.k8s.api.core.v1.Container.volumeMounts': { strategy: 'merge', key: 'mountPath', keys: ['mountPath'] },
  'io.k8s.api.core.v1.Container.volumeDevices': {
    strategy: 'merge',
    key: 'devicePath',
    keys: ['devicePath'],
  },
  'io.k8s.api.core.v1.EphemeralContainer.ports': {
    strategy: 'merge',
    key: 'containerPort',
    keys: ['containerPort', 'protocol'],
  },
  'io.k8s.api.core.v1.EphemeralContainer.env': { strategy: 'merge', key: 'name', keys: ['name'] },
  'io.k8s.api.core.v1.EphemeralContainer.volumeMounts': {
    strategy: 'merge',
    key: 'mountPath',
    keys: ['mountPath'],
  },
  'io.k8s.api.core.v1.PodStatus.conditions': { strategy: 'merge', key: 'type', keys: ['type'] },
  'io.k8s.api.core.v1.PodStatus.podIPs': { strategy: 'merge', key: 'ip', keys: ['ip'] },
  'io.k8s.api.core.v1.ServiceSpec.ports': { strategy: 'merge', key: 'port', keys: ['port', 'protocol'] },
  'io.k8s.api.core.v1.ServiceStatus.conditions': { key: 'type', keys: ['type'] },
  'io.k8s.api.core.v1.NodeStatus.conditions': { strategy: 'merge', key: 'type', keys: ['type'] },
  'io.k8s.api.core.v1.NodeStatus.addresses': { strategy: 'merge', key: 'type', keys: ['type'] },
  'io.k8s.api.core.v1.NodeSpec.podCIDRs': { strategy: 'merge', listType: 'set' },
  'io.k8s.api.core.v1.NamespaceStatus.conditions': { strategy: 'merge', key: 'type', keys: ['type'] },
  'io.k8s.api.core.v1.PersistentVolumeClaimStatus.conditions': {
    strategy: 'merge',
    key: 'type',
    keys: ['type'],
  },
  'io.k8s.api.apps.v1.DeploymentSpec.strategy': { strategy: 'retainKeys' },
  'io.k8s.api.apps.v1.DeploymentStatus.conditions': { strategy: 'merge', key: 'type', keys: ['type'] },
  'io.k8s.api.apps.v1.ReplicaSetStatus.conditions': { strategy: 'merge', key: 'type', keys: ['type'] },
  'io.k8s.api.core.v1.ReplicationControllerStatus.conditions': {
    strategy: 'merge',
    key: 'type',
    keys: ['type'],
  },
  'io.k8s.api.apps.v1.DaemonSetStatus.conditions': { strategy: 'merge', key: 'type', keys: ['type'] },
  'io.k8s.api.apps.v1.StatefulSetStatus.conditions': { strategy: 'merge', key: 'type', keys: ['type'] },
  'io.k8s.api.batch.v1.JobStatus.conditions': { strategy: 'merge', key: 'type', listType: 'atomic' },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus.conditions': {
    strategy: 'merge',
    key: 'type',
    keys: ['type'],
  },
  'io.k8s.api.core.v1.PodSpec.tolerations': { listType: 'atomic' },
};

/** kubernetes-models file (without .d.ts) => OpenAPI definition name. */
function definitionName(file) {
  if (file.startsWith(machinery)) {
    return `io.k8s.apimachinery.pkg.${relative(machinery, file).replaceAll('/', '.')}`;
  }
  const parts = relative(models, file).split('/');
  const name = parts.pop();
  if (parts.length === 1) return `io.k8s.api.core.${parts[0]}.${name}`;
  const [group, version] = parts;
  return `io.k8s.api.${group.replace(/\.k8s\.io$/, '')}.${version}.${name}`;
}

/** Every exported alias (IIoK8s...) => its file, so that references resolve across folders. */
const aliasFiles = new Map();
function indexAliases(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '_schemas' && entry.name !== 'node_modules') indexAliases(path);
    } else if (entry.name.endsWith('.d.ts') && entry.name !== 'index.d.ts') {
      const text = readFileSync(path, 'utf8');
      for (const match of text.matchAll(/export \{ \w+ as (I\w+)/g))
        aliasFiles.set(match[1], path.slice(0, -5));
    }
  }
}
indexAliases(models);
indexAliases(machinery);

const definitions = {};
const pending = ROOTS.map((r) => join(models, r));

const description = (node) =>
  ts
    .getJSDocCommentsAndTags(node)
    .map((d) => (typeof d.comment === 'string' ? d.comment : ''))
    .join('\n')
    .trim() || undefined;

function schemaOfType(node, source) {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword:
      return { type: 'integer' };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
      return {};
    case ts.SyntaxKind.LiteralType:
      return { type: 'string', enum: [node.literal.text] };
    case ts.SyntaxKind.UnionType: {
      const values = node.types.map((t) =>
        t.kind === ts.SyntaxKind.LiteralType ? t.literal.text : undefined,
      );
      if (values.every((v) => v !== undefined)) return { type: 'string', enum: values };
      return {};
    }
    case ts.SyntaxKind.TypeLiteral: {
      const index = node.members.find((m) => m.kind === ts.SyntaxKind.IndexSignature);
      if (index) return { type: 'object', additionalProperties: schemaOfType(index.type, source) };
      return { type: 'object' };
    }
    case ts.SyntaxKind.ArrayType:
      return { type: 'array', items: schemaOfType(node.elementType, source) };
    case ts.SyntaxKind.TypeReference: {
      const name = node.typeName.getText(source);
      if (name === 'Array') return { type: 'array', items: schemaOfType(node.typeArguments[0], source) };
      const file = aliasFiles.get(name);
      if (!file) throw new Error(`unknown type ${name} in ${source.fileName}`);
      pending.push(file);
      return { $ref: `#/components/schemas/${definitionName(file)}` };
    }
    case ts.SyntaxKind.IndexedAccessType:
      return { type: 'string' };
    default:
      throw new Error(`unhandled type ${ts.SyntaxKind[node.kind]} in ${source.fileName}`);
  }
}

/** How the real OpenAPI spells the scalar wrapper types. */
const SCALARS = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string', format: 'quantity' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': { type: 'object' },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': { type: 'object' },
};

while (pending.length > 0) {
  const file = pending.pop();
  const name = definitionName(file);
  if (definitions[name]) continue;
  const source = ts.createSourceFile(
    `${file}.d.ts`,
    readFileSync(`${file}.d.ts`, 'utf8'),
    ts.ScriptTarget.ES2022,
    true,
  );
  const iface = source.statements.find((s) => ts.isInterfaceDeclaration(s));
  const alias = source.statements.find((s) => ts.isTypeAliasDeclaration(s));
  if (SCALARS[name]) {
    definitions[name] = { ...SCALARS[name], description: alias && description(alias) };
    continue;
  }
  if (!iface) throw new Error(`no interface in ${file}`);
  const properties = {};
  const required = [];
  for (const member of iface.members) {
    if (!ts.isPropertySignature(member)) continue;
    const field = member.name.text;
    // kubernetes-models pins apiVersion and kind to literals; the API schema has plain strings.
    const typeMeta = field === 'apiVersion' || field === 'kind';
    let schema = typeMeta ? { type: 'string' } : schemaOfType(member.type, source);
    const doc = description(member);
    if (schema.$ref) schema = { allOf: [schema] };
    if (doc) schema.description = doc;
    const meta = PATCH[`${name}.${field}`];
    if (meta) {
      if (meta.strategy) schema['x-kubernetes-patch-strategy'] = meta.strategy;
      if (meta.key) schema['x-kubernetes-patch-merge-key'] = meta.key;
      if (meta.keys) {
        schema['x-kubernetes-list-type'] = 'map';
        schema['x-kubernetes-list-map-keys'] = meta.keys;
      } else if (meta.listType) schema['x-kubernetes-list-type'] = meta.listType;
    } else if (schema.type === 'array') {
      schema['x-kubernetes-list-type'] = 'atomic';
    }
    if (!member.questionToken && !typeMeta) required.push(field);
    properties[field] = schema;
  }
  definitions[name] = {
    description: description(iface),
    type: 'object',
    ...(required.length > 0 ? { required } : {}),
    properties,
  };
}

for (const key of Object.keys(PATCH)) {
  const [type, field] = [key.slice(0, key.lastIndexOf('.')), key.slice(key.lastIndexOf('.') + 1)];
  if (!definitions[type]?.properties?.[field]) throw new Error(`patch metadata for a missing field: ${key}`);
}

const sorted = Object.fromEntries(
  Object.keys(definitions)
    .sort()
    .map((k) => [k, definitions[k]]),
);
writeFileSync(output, `${JSON.stringify(sorted)}\n`);
// In the project's JSON style, so that `npm run lint` stays clean.
execFileSync(join(root, 'node_modules/.bin/biome'), ['format', '--write', output], { stdio: 'ignore' });
console.log(`${Object.keys(sorted).length} definitions -> ${relative(root, output)}`);
