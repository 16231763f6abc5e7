import { apiVersionOf, type Catalog, RESOURCES, type Resource } from '../../kube/resources.js';
import table from '../schema/protobuf.json' with { type: 'json' };
import { KUBERNETES_VERSION } from './discovery.js';
import { groupVersionDocuments } from './openapi.js';

/**
 * /openapi/v2, the Swagger document kubectl 1.27 and 1.28 read (in gnostic's protobuf form) to
 * learn that the server validates fields itself: a PATCH operation per kind with the
 * fieldValidation parameter and its x-kubernetes-group-version-kind. That form carries no schemas,
 * so kubectl computes strategic patches from its compiled-in types and skips client-side validation
 * of kinds the simulated cluster does not serve; kubectl 1.29+ reads OpenAPI v3 instead. The JSON
 * form, for other clients, is the whole document.
 */
type FieldSpec = [name: string, type: string, target?: string | null, flags?: string];
const MESSAGES = table as unknown as Record<string, { fields: Record<string, FieldSpec> }>;

// biome-ignore lint/suspicious/noExplicitAny: a message is built as plain data, then encoded.
type Message = Record<string, any>;

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function encode(type: string, message: Message): Buffer {
  const spec = MESSAGES[type];
  if (!spec) throw new Error(`no protobuf field table for ${type}`);
  const parts: Buffer[] = [];
  for (const [number, [name, fieldType, target]] of Object.entries(spec.fields)) {
    const value = message[name];
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      const n = Number(number);
      if (fieldType === 'message') {
        const body = encode(target!, item);
        parts.push(Buffer.from([...varint((n << 3) | 2), ...varint(body.length)]), body);
      } else if (fieldType === 'string') {
        const body = Buffer.from(String(item));
        parts.push(Buffer.from([...varint((n << 3) | 2), ...varint(body.length)]), body);
      } else if (fieldType === 'bool') {
        parts.push(Buffer.from([...varint(n << 3), item ? 1 : 0]));
      }
    }
  }
  return Buffer.concat(parts);
}

const PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'];

interface PatchPath {
  path: string;
  gvk: { group: string; kind: string; version: string };
}

function patchPaths(all: Resource[]): PatchPath[] {
  return all
    .filter((r) => r.definition || r.custom)
    .map((r) => {
      const prefix = r.group ? `/apis/${apiVersionOf(r)}` : `/api/${r.version}`;
      const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
      return { path: `${base}/{name}`, gvk: { group: r.group, kind: r.kind, version: r.version } };
    });
}

function protobufDocument(all: Resource[]): Buffer {
  const path = patchPaths(all).map(({ path: name, gvk }) => ({
    name,
    value: {
      patch: {
        operation_id: `patch${gvk.group.replace(/\W/g, '')}${gvk.version}${gvk.kind}`,
        consumes: [
          'application/json-patch+json',
          'application/merge-patch+json',
          'application/strategic-merge-patch+json',
          'application/apply-patch+yaml',
        ],
        produces: ['application/json'],
        parameters: PARAMETERS.map((p) => ({
          parameter: {
            non_body_parameter: {
              query_parameter_sub_schema: {
                in: 'query',
                name: p,
                type: p === 'force' ? 'boolean' : 'string',
                unique_items: true,
              },
            },
          },
        })),
        responses: { response_code: [{ name: '200', value: { response: { description: 'OK' } } }] },
        vendor_extension: [
          { name: 'x-kubernetes-action', value: { yaml: 'patch\n' } },
          {
            name: 'x-kubernetes-group-version-kind',
            value: { yaml: `group: "${gvk.group}"\nkind: ${gvk.kind}\nversion: ${gvk.version}\n` },
          },
        ],
      },
    },
  }));
  return encode('openapi.v2.Document', {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion },
    paths: { path },
    definitions: {},
  });
}

interface V3Parameter {
  name: string;
  in: string;
  description?: string;
  schema: { type: string; uniqueItems?: boolean };
}

interface V3Operation {
  parameters?: V3Parameter[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: object }> }>;
  [field: string]: unknown;
}

/** An OpenAPI v3 operation in Swagger 2.0 form: query parameters typed inline, the body a parameter. */
function swaggerOperation(op: V3Operation): object {
  const { parameters, requestBody, responses, ...rest } = op;
  const params: object[] = (parameters ?? []).map((p) => ({
    name: p.name,
    in: p.in,
    ...(p.description ? { description: p.description } : {}),
    type: p.schema.type,
    uniqueItems: true,
  }));
  if (requestBody) {
    const schema = Object.values(requestBody.content)[0]?.schema;
    params.unshift({ name: 'body', in: 'body', required: true, schema });
  }
  const swaggerResponses: Record<string, object> = {};
  for (const [code, r] of Object.entries(responses)) {
    const schema = r.content ? Object.values(r.content)[0]?.schema : undefined;
    swaggerResponses[code] = { description: r.description, ...(schema ? { schema } : {}) };
  }
  return {
    ...rest,
    consumes: ['*/*'],
    produces: ['application/json', 'application/yaml'],
    ...(params.length ? { parameters: params } : {}),
    responses: swaggerResponses,
  };
}

/**
 * The JSON form (what curl and other plain clients read): the OpenAPI v3 documents' paths and
 * schemas in Swagger 2.0 form, with the definitions of every served type, as the API server's
 * /openapi/v2 has them. kubectl never reads this form.
 */
function jsonDocument(catalog?: Catalog): string {
  const paths: Record<string, Record<string, object>> = {};
  const definitions: Record<string, object> = {};
  for (const doc of groupVersionDocuments(catalog)) {
    for (const [path, methods] of Object.entries(doc.paths)) {
      const ops: Record<string, object> = {};
      for (const [method, op] of Object.entries(methods as Record<string, V3Operation>))
        ops[method] = swaggerOperation(op);
      paths[path] = ops;
    }
    Object.assign(definitions, doc.components.schemas);
  }
  const body = JSON.stringify({
    swagger: '2.0',
    info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion },
    paths,
    definitions,
  });
  return body.replaceAll('#/components/schemas/', '#/definitions/');
}

let cached: { protobuf: Buffer; json: string } | undefined;

// What the API server answers (the client asks with '@', which Go's mime parser does not accept back).
export const PROTOBUF_V2 = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** The document in the form the client asked for: gnostic protobuf, or JSON. */
export function openapiV2(
  accept: string | undefined,
  catalog?: Catalog,
): { body: Buffer | string; contentType: string } {
  const protobuf = (accept ?? '').includes('protobuf');
  if (catalog && catalog.generation > 0) {
    // With custom resources the document changes with them: made for each request (it is small).
    return protobuf
      ? { body: protobufDocument(catalog.resources), contentType: PROTOBUF_V2 }
      : { body: jsonDocument(catalog), contentType: 'application/json' };
  }
  cached ??= { protobuf: protobufDocument(RESOURCES), json: jsonDocument() };
  if (protobuf) return { body: cached.protobuf, contentType: PROTOBUF_V2 };
  return { body: cached.json, contentType: 'application/json' };
}
