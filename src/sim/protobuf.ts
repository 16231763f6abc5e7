import { badRequest } from '../kube/errors.js';
import table from './schema/protobuf.json' with { type: 'json' };

/**
 * Reads Kubernetes' protobuf encoding (application/vnd.kubernetes.protobuf): the `k8s\0` magic, a
 * runtime.Unknown envelope naming apiVersion and kind, and the object in the wire format of
 * k8s.io/api's generated.proto (field numbers in schema/protobuf.json, taken from kubectl itself).
 * kubectl's typed clients send it for `kubectl create deployment|job|configmap|secret|service`,
 * `kubectl run`, `kubectl expose` and `kubectl autoscale`; the result is the object as JSON would
 * have carried it (zero values of optional fields left out, as `omitempty` does).
 */
type FieldSpec = [name: string, type: string, target?: string | null, flags?: string];
interface MessageSpec {
  fields: Record<string, FieldSpec>;
  required?: string[];
}
const MESSAGES = table as unknown as Record<string, MessageSpec>;
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

// biome-ignore lint/suspicious/noExplicitAny: decoded objects are open JSON.
type Json = any;

class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  get done(): boolean {
    return this.at >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.at >= this.buf.length) throw badRequest('protobuf: unexpected end of a varint');
      const b = this.buf[this.at++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  bytes(): Buffer {
    const length = Number(this.varint());
    const out = this.buf.subarray(this.at, this.at + length);
    if (out.length !== length) throw badRequest('protobuf: truncated field');
    this.at += length;
    return out;
  }
  fixed(size: 4 | 8): Buffer {
    const out = this.buf.subarray(this.at, this.at + size);
    this.at += size;
    return out;
  }
}

const signed64 = (v: bigint) => (v >= 1n << 63n ? v - (1n << 64n) : v);

function scalar(type: string, value: bigint | Buffer): Json {
  switch (type) {
    case 'bool':
      return value !== 0n;
    case 'int32':
    case 'int64':
      return Number(signed64(value as bigint));
    case 'uint32':
    case 'uint64':
      return Number(value as bigint);
    case 'string':
      return (value as Buffer).toString('utf8');
    case 'bytes':
      return (value as Buffer).toString('base64');
    case 'double':
      return (value as Buffer).readDoubleLE(0);
    case 'float':
      return (value as Buffer).readFloatLE(0);
    default:
      return undefined;
  }
}

function listOf(out: Json, name: string): Json[] {
  out[name] ??= [];
  return out[name];
}

const isZero = (v: Json) => v === '' || v === 0 || v === false;

/** The special types Kubernetes marshals to JSON by hand. */
function special(type: string, m: Json): Json {
  switch (type) {
    case 'k8s.io.apimachinery.pkg.apis.meta.v1.Time':
    case 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': {
      if (!m.seconds && !m.nanos) return undefined;
      const iso = new Date((m.seconds ?? 0) * 1000 + Math.floor((m.nanos ?? 0) / 1e6)).toISOString();
      return type.endsWith('MicroTime')
        ? iso.replace(/\.(\d{3})Z$/, '.$1000Z')
        : iso.replace(/\.\d{3}Z$/, 'Z');
    }
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity':
      return m.string ?? '0';
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString':
      return m.type === 1 ? (m.strVal ?? '') : (m.intVal ?? 0);
    case 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1':
    case 'k8s.io.apimachinery.pkg.runtime.RawExtension': {
      const raw = m.Raw ?? m.raw;
      if (!raw) return {};
      try {
        return JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
      } catch {
        return {};
      }
    }
    case 'k8s.io.apimachinery.pkg.apis.meta.v1.Duration':
      return `${(m.duration ?? 0) / 1e9}s`;
    default:
      return m;
  }
}

function decodeMessage(type: string, buf: Buffer): Json {
  const spec = MESSAGES[type];
  if (!spec) throw badRequest(`protobuf: the simulated cluster cannot read ${type}; send JSON instead`);
  const out: Json = {};
  const reader = new Reader(buf);
  while (!reader.done) {
    const key = Number(reader.varint());
    const number = key >> 3;
    const wire = key & 7;
    let raw: bigint | Buffer;
    if (wire === 0) raw = reader.varint();
    else if (wire === 2) raw = reader.bytes();
    else if (wire === 1) raw = reader.fixed(8);
    else if (wire === 5) raw = reader.fixed(4);
    else throw badRequest(`protobuf: unsupported wire type ${wire} in ${type}`);
    const field = spec.fields[number];
    if (!field) continue;
    const [name, fieldType, target, flags = ''] = field;
    if (fieldType === 'map') {
      const entry = new Reader(raw as Buffer);
      let k = '';
      let v: Json;
      while (!entry.done) {
        const ek = Number(entry.varint());
        const value = (ek & 7) === 0 ? entry.varint() : entry.bytes();
        if (ek >> 3 === 1) k = (value as Buffer).toString('utf8');
        else if (MESSAGES[target!] || target!.includes('.'))
          v = special(target!, decodeMessage(target!, value as Buffer));
        else v = scalar(target!, value);
      }
      out[name] ??= {};
      out[name][k] = v ?? (target === 'string' ? '' : v);
      continue;
    }
    if (fieldType === 'message') {
      const value = special(target!, decodeMessage(target!, raw as Buffer));
      if (flags.includes('inline')) Object.assign(out, value);
      else if (flags.includes('repeated')) listOf(out, name).push(value);
      else if (value !== undefined) out[name] = value;
      continue;
    }
    if (flags.includes('repeated') && wire === 2 && fieldType !== 'string' && fieldType !== 'bytes') {
      const packed = new Reader(raw as Buffer);
      while (!packed.done) listOf(out, name).push(scalar(fieldType, packed.varint()));
      continue;
    }
    const value = scalar(fieldType, raw);
    if (flags.includes('repeated')) listOf(out, name).push(value);
    else out[name] = value;
  }
  for (const [name, value] of Object.entries(out))
    if (isZero(value) && !(spec.required ?? []).includes(name)) delete out[name];
  return out;
}

const GROUP_PACKAGES: Record<string, string> = {
  '': 'k8s.io.api.core',
  'discovery.k8s.io': 'k8s.io.api.discovery',
  'storage.k8s.io': 'k8s.io.api.storage',
  'events.k8s.io': 'k8s.io.api.events',
  'coordination.k8s.io': 'k8s.io.api.coordination',
  'networking.k8s.io': 'k8s.io.api.networking',
  'rbac.authorization.k8s.io': 'k8s.io.api.rbac',
  'authorization.k8s.io': 'k8s.io.api.authorization',
  'authentication.k8s.io': 'k8s.io.api.authentication',
};

export function isProtobuf(contentType: string | undefined): boolean {
  return /application\/vnd\.kubernetes\.protobuf/.test(contentType ?? '');
}

/** Decodes a protobuf request body into the JSON object it stands for. */
export function decodeProtobuf(body: Buffer): Json {
  if (!body.subarray(0, 4).equals(MAGIC))
    throw badRequest('protobuf: the body does not start with the Kubernetes magic number');
  const envelope = decodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', body.subarray(4));
  const apiVersion: string = envelope.typeMeta?.apiVersion ?? '';
  const kind: string = envelope.typeMeta?.kind ?? '';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const pkg = GROUP_PACKAGES[group!] ?? `k8s.io.api.${group}`;
  const type =
    kind === 'DeleteOptions'
      ? 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions'
      : `${pkg}.${version}.${kind}`;
  const object = decodeMessage(type, Buffer.from(envelope.raw ?? '', 'base64'));
  return { apiVersion, kind, ...object };
}
