// Generates src/sim/schema/protobuf.json: the protobuf field numbers of the Kubernetes types the
// simulated cluster serves. kubectl's typed clients (`kubectl create deployment|job|configmap|...`,
// `kubectl autoscale`, `kubectl run`, `kubectl expose`) send their objects as
// application/vnd.kubernetes.protobuf, so the simulator must read that encoding.
//
// The numbers come from the real thing: every kubectl binary carries the gzipped
// FileDescriptorProtos of k8s.io/api's generated.proto files (registered by the generated Go code).
// This script finds them in the binary and keeps what the simulator needs.
//
// Run once per Kubernetes minor: node scripts/generate-sim-protobuf.mjs [path to kubectl]
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = join(root, 'src/sim/schema/protobuf.json');
const definitions = JSON.parse(readFileSync(join(root, 'src/sim/schema/definitions.json'), 'utf8'));

const kubectl = realpathSync(
  process.argv[2] ?? execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim(),
);
const binary = readFileSync(kubectl);

/** The messages to start from; everything they reference comes along. */
const ROOTS = [
  'k8s.io.api.core.v1.Pod',
  'k8s.io.api.core.v1.Service',
  'k8s.io.api.core.v1.ConfigMap',
  'k8s.io.api.core.v1.Secret',
  'k8s.io.api.core.v1.Namespace',
  'k8s.io.api.core.v1.PersistentVolumeClaim',
  'k8s.io.api.core.v1.PersistentVolume',
  'k8s.io.api.core.v1.Endpoints',
  'k8s.io.api.core.v1.Event',
  'k8s.io.api.core.v1.Node',
  'k8s.io.api.core.v1.Binding',
  'k8s.io.api.core.v1.ReplicationController',
  'k8s.io.api.core.v1.ResourceQuota',
  'k8s.io.api.core.v1.LimitRange',
  'k8s.io.api.apps.v1.Deployment',
  'k8s.io.api.apps.v1.ReplicaSet',
  'k8s.io.api.apps.v1.ControllerRevision',
  'k8s.io.api.apps.v1.DaemonSet',
  'k8s.io.api.apps.v1.StatefulSet',
  'k8s.io.api.batch.v1.Job',
  'k8s.io.api.batch.v1.CronJob',
  'k8s.io.api.autoscaling.v1.HorizontalPodAutoscaler',
  'k8s.io.api.autoscaling.v1.Scale',
  'k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler',
  'k8s.io.api.discovery.v1.EndpointSlice',
  'k8s.io.api.storage.v1.StorageClass',
  'k8s.io.api.policy.v1.Eviction',
  'k8s.io.api.coordination.v1.Lease',
  'k8s.io.api.networking.v1.Ingress',
  'k8s.io.api.core.v1.ServiceAccount',
  'k8s.io.api.rbac.v1.Role',
  'k8s.io.api.rbac.v1.ClusterRole',
  'k8s.io.api.rbac.v1.RoleBinding',
  'k8s.io.api.rbac.v1.ClusterRoleBinding',
  'k8s.io.api.authentication.v1.TokenRequest',
  'k8s.io.api.authentication.v1.SelfSubjectReview',
  'k8s.io.api.authorization.v1.SelfSubjectAccessReview',
  'k8s.io.api.authorization.v1.SelfSubjectRulesReview',
  'k8s.io.api.authorization.v1.SubjectAccessReview',
  'k8s.io.api.authorization.v1.LocalSubjectAccessReview',
  'k8s.io.api.authentication.v1.TokenReview',
  'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'k8s.io.apimachinery.pkg.runtime.Unknown',
];

// A minimal protobuf reader, enough for descriptor.proto.
function* fields(buf) {
  let i = 0;
  const varint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const number = key >> 3;
    const wire = key & 7;
    if (wire === 0) yield [number, varint()];
    else if (wire === 2) {
      const length = Number(varint());
      yield [number, buf.subarray(i, i + length)];
      i += length;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`wire type ${wire}`);
  }
}

const TYPES = {
  1: 'double',
  2: 'float',
  3: 'int64',
  4: 'uint64',
  5: 'int32',
  8: 'bool',
  9: 'string',
  11: 'message',
  12: 'bytes',
  13: 'uint32',
  17: 'sint32',
  18: 'sint64',
};

const messages = new Map();
function readMessage(buf, prefix) {
  let name = '';
  const fieldList = [];
  const nested = [];
  let mapEntry = false;
  for (const [n, v] of fields(buf)) {
    if (n === 1) name = v.toString();
    else if (n === 2) fieldList.push(v);
    else if (n === 3) nested.push(v);
    else if (n === 7) for (const [on, ov] of fields(v)) if (on === 7) mapEntry = ov === 1n;
  }
  const full = `${prefix}.${name}`;
  const parsed = fieldList.map((f) => {
    const field = {};
    for (const [n, v] of fields(f)) {
      if (n === 1) field.name = v.toString();
      if (n === 3) field.number = Number(v);
      if (n === 4) field.repeated = v === 3n;
      if (n === 5) field.type = TYPES[Number(v)] ?? `type${v}`;
      if (n === 6) field.typeName = v.toString().replace(/^\./, '');
    }
    return field;
  });
  messages.set(full, { fields: parsed, mapEntry });
  for (const n of nested) readMessage(n, full);
}

const magic = Buffer.from([0x1f, 0x8b, 0x08]);
for (let at = binary.indexOf(magic); at >= 0; at = binary.indexOf(magic, at)) {
  let descriptor;
  try {
    descriptor = gunzipSync(binary.subarray(at, at + 1_000_000), { finishFlush: 2 });
  } catch {
    at += 3;
    continue;
  }
  at += 3;
  let file = '';
  let pkg = '';
  const bodies = [];
  try {
    for (const [n, v] of fields(descriptor)) {
      if (n === 1) file = v.toString();
      if (n === 2) pkg = v.toString();
      if (n === 4) bodies.push(v);
    }
  } catch {
    continue;
  }
  if (!/^k8s\.io\/(api|apimachinery|metrics)\/.*generated\.proto$/.test(file)) continue;
  for (const body of bodies) readMessage(body, pkg);
}

// gnostic's OpenAPI v2 model (what kubectl 1.27 and 1.28 read from /openapi/v2) is registered
// uncompressed: find its FileDescriptorProto by its file name and read it until it ends.
{
  const name = Buffer.from('openapiv2/OpenAPIv2.proto');
  const start = binary.indexOf(Buffer.concat([Buffer.from([0x0a, name.length]), name]));
  if (start < 0) throw new Error(`no OpenAPIv2.proto descriptor in ${kubectl}`);
  const bodies = [];
  let pkg = '';
  try {
    let files = 0;
    for (const [n, v] of fields(binary.subarray(start, start + 200_000))) {
      // Descriptors follow each other: a second file name is the next file.
      if (n === 1 && ++files > 1) break;
      if (n === 2) pkg = v.toString();
      else if (n === 4) bodies.push(v);
      else if (n > 12) break;
    }
  } catch {
    // the bytes after the descriptor are not a descriptor: the end was reached
  }
  for (const body of bodies) readMessage(body, pkg);
}
const OPENAPI_V2 = [
  'openapi.v2.Document',
  'openapi.v2.Info',
  'openapi.v2.Paths',
  'openapi.v2.NamedPathItem',
  'openapi.v2.PathItem',
  'openapi.v2.Operation',
  'openapi.v2.ParametersItem',
  'openapi.v2.Parameter',
  'openapi.v2.NonBodyParameter',
  'openapi.v2.QueryParameterSubSchema',
  'openapi.v2.PathParameterSubSchema',
  'openapi.v2.NamedAny',
  'openapi.v2.Any',
  'openapi.v2.Responses',
  'openapi.v2.NamedResponseValue',
  'openapi.v2.ResponseValue',
  'openapi.v2.Response',
  'openapi.v2.Definitions',
];

/** protobuf message name => OpenAPI definition name (to read JSON names and required fields). */
const definitionOf = (message) =>
  message
    .replace(/^k8s\.io\.api\./, 'io.k8s.api.')
    .replace(/^k8s\.io\.apimachinery\./, 'io.k8s.apimachinery.');

const out = {};
const pending = [...ROOTS];
while (pending.length > 0) {
  const name = pending.pop();
  if (out[name]) continue;
  const message = messages.get(name);
  if (!message) throw new Error(`no descriptor for ${name} in ${kubectl}`);
  const schema = definitions[definitionOf(name)];
  const properties = schema?.properties ?? {};
  const entry = { fields: {} };
  if (schema?.required) entry.required = schema.required;
  for (const f of message.fields) {
    const spec = [f.name, f.type];
    if (f.typeName) {
      const target = messages.get(f.typeName);
      if (target?.mapEntry) {
        const [key, value] = target.fields;
        spec[1] = 'map';
        spec.push(value.type === 'message' ? value.typeName : value.type);
        if (key.type !== 'string') throw new Error(`map key ${key.type} in ${name}`);
        if (value.typeName) pending.push(value.typeName);
      } else {
        spec.push(f.typeName);
        pending.push(f.typeName);
      }
    }
    const flags = [];
    if (f.repeated && spec[1] !== 'map') flags.push('repeated');
    // Go embeds some structs with `json:",inline"`: their fields appear in the parent's JSON.
    if (schema && !(f.name in properties) && f.type === 'message' && !messages.get(f.typeName)?.mapEntry)
      flags.push('inline');
    if (flags.length) spec.push(...(spec.length === 2 ? [null] : []), flags.join(','));
    entry.fields[f.number] = spec;
  }
  out[name] = entry;
}

for (const name of OPENAPI_V2) {
  const message = messages.get(name);
  if (!message) throw new Error(`no descriptor for ${name}`);
  out[name] = {
    fields: Object.fromEntries(
      message.fields.map((f) => [
        f.number,
        [
          f.name,
          f.type,
          ...(f.typeName ? [f.typeName] : f.repeated ? [null] : []),
          ...(f.repeated ? ['repeated'] : []),
        ],
      ]),
    ),
  };
}

const sorted = Object.fromEntries(
  Object.keys(out)
    .sort()
    .map((k) => [k, out[k]]),
);
writeFileSync(output, `${JSON.stringify(sorted)}\n`);
// In the project's JSON style, so that `npm run lint` stays clean.
execFileSync(join(root, 'node_modules/.bin/biome'), ['format', '--write', output], { stdio: 'ignore' });
console.log(`${Object.keys(sorted).length} messages from ${kubectl} -> ${relative(root, output)}`);
