import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest } from '../../kube/errors.js';
import type { UserInfo } from '../../kube/rbac/rules.js';
import { decodeProtobuf, isProtobuf } from '../protobuf.js';

/**
 * The plumbing every handler shares: reading a request body, answering JSON, answering an error
 * as a Kubernetes Status (which kubectl prints as `Error from server (Reason): message`), and the
 * Warning headers kubectl prints as `Warning: ...`.
 */
export interface ApiCall {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  /** Warnings to send with the answer (unknown fields under fieldValidation=Warn, ...). */
  warnings: string[];
  /** Run before the answer is written: a write is answered only once it is on disk. */
  beforeAnswer?: () => void;
  /** Who sent it, once authenticated (and impersonated). */
  user?: UserInfo;
}

/** The API server's limit on a request body (3 MiB), answered 413 with a Status. */
export const MAX_BODY = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so that the client gets the answer; a body
      // that goes on and on is cut off.
      if (size <= MAX_BODY) chunks.push(chunk);
      else if (size > 16 * MAX_BODY) {
        req.destroy();
        reject(new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY}`));
      }
    });
    req.on('end', () => {
      if (size > MAX_BODY)
        reject(new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY}`));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/** What a create or an update may be written in (the API server's serializers, CBOR being off). */
export const INPUT_MEDIA_TYPES = [
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
];

/**
 * NegotiateInputSerializer: no Content-Type means JSON; a type the server has no serializer for
 * is a 415 before the body is read.
 */
export function inputMediaType(contentType: string | undefined): string {
  if (!contentType) return 'application/json';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (INPUT_MEDIA_TYPES.includes(type)) return type;
  throw new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${INPUT_MEDIA_TYPES.join(', ')}`,
  );
}

/** How many aliases a YAML body may expand: a "billion laughs" document is refused, not expanded. */
const MAX_YAML_ALIASES = 100;

/**
 * JSON, YAML (`application/yaml`, and `application/apply-patch+yaml` for server-side apply), or
 * Kubernetes protobuf. With `kind`, a body that does not decode is refused as the create and
 * update handlers refuse it (transformDecodeError): "the object provided is unrecognized".
 */
export function decodeBody(body: Buffer, contentType: string | undefined, kind?: string): unknown {
  if (body.length > 0 && isProtobuf(contentType)) return decodeProtobuf(body);
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  const yaml = /yaml/i.test(contentType ?? '');
  try {
    return yaml ? parseYaml(text, { maxAliasCount: MAX_YAML_ALIASES }) : JSON.parse(text);
  } catch (error) {
    const detail = yaml ? yamlError(error) : jsonError(text, error);
    if (kind)
      throw badRequest(
        `the object provided is unrecognized (must be of type ${kind}): ${detail} (${summarize(body)})`,
      );
    throw badRequest(`the body of the request was in an unknown format: ${detail}`);
  }
}

function yamlError(error: unknown): string {
  const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  if (/alias/i.test(message)) return 'yaml: document contains excessive aliasing';
  return `yaml: ${message}`;
}

/** The first problem with a JSON text in the words of Go's encoding/json, where they are known. */
function jsonError(text: string, error: unknown): string {
  const start = text.search(/\S/);
  const first = text[start]!;
  if (!'{["-0123456789tfn'.includes(first))
    return `couldn't get version/kind; json parse error: invalid character '${first}' looking for beginning of value`;
  if (error instanceof SyntaxError && /end of (JSON )?input|Unterminated/i.test(error.message))
    return "couldn't get version/kind; json parse error: unexpected end of JSON input";
  const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return `couldn't get version/kind; json parse error: ${detail}`;
}

/** summarizeData: the body's first 30 bytes, as text when it is JSON, in hex otherwise. */
function summarize(body: Buffer): string {
  const head = body.subarray(0, 30);
  const more = body.length > 30 ? ' ...' : '';
  return body[0] === 0x7b ? `${head.toString('utf8')}${more}` : `${head.toString('hex')}${more}`;
}

/**
 * A Warning header value as the API server writes it (apimachinery's NewWarningHeader): `299 -`
 * and the text in quotes, with `"` and `\` escaped and every other character as it is, in UTF-8.
 * Node takes header strings as Latin-1, so the UTF-8 bytes go in as one Latin-1 character each
 * (a name copied with smart quotes, `“data”`, would otherwise throw). A text with control
 * characters is not sent, as the API server refuses to make a header of it.
 */
export function warningHeader(text: string): string | undefined {
  if (/[\u0000-\u001f\u007f-\u009f]/.test(text)) return undefined;
  const quoted = `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return Buffer.from(`299 - ${quoted}`, 'utf8').toString('latin1');
}

export function headerFor(warnings: string[]): Record<string, string | string[]> {
  const values = warnings.map(warningHeader).filter((w): w is string => w !== undefined);
  return values.length === 0 ? {} : { Warning: values };
}

export function sendJson(call: ApiCall, code: number, body: unknown, contentType = 'application/json'): void {
  call.beforeAnswer?.();
  const text = JSON.stringify(body);
  call.res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...headerFor(call.warnings),
  });
  // A Buffer, not a string: Node sends the headers with a string body in the body's encoding
  // (UTF-8), which would encode the Warning header's bytes a second time.
  call.res.end(Buffer.from(text));
}

export function sendError(
  call: Pick<ApiCall, 'res' | 'warnings' | 'beforeAnswer'>,
  error: unknown,
  log?: (line: string) => void,
) {
  const apiError =
    error instanceof ApiError
      ? error
      : new ApiError(500, 'InternalError', `Internal error occurred: ${(error as Error)?.message ?? error}`);
  if (!(error instanceof ApiError)) log?.(`internal error: ${(error as Error)?.stack ?? error}`);
  if (call.res.headersSent) {
    call.res.destroy();
    return;
  }
  // A request refused half-way may have changed something (a delete of several): on disk first.
  try {
    call.beforeAnswer?.();
  } catch (failure) {
    log?.(`could not write the journal: ${(failure as Error)?.message ?? failure}`);
  }
  const text = JSON.stringify(apiError.toStatus());
  try {
    call.res.writeHead(apiError.code, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      ...headerFor(call.warnings),
    });
    call.res.end(Buffer.from(text));
  } catch (failure) {
    // Answering failed too: end this one connection, never the server.
    log?.(`could not answer a request: ${(failure as Error)?.stack ?? failure}`);
    call.res.destroy();
  }
}

export const notFoundPath = () =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource');

/**
 * A boolean query parameter as the API server converts it (runtime.Convert_Slice_string_To_bool):
 * absent, "0" and "false" are false; anything else, "maybe" and the empty value included, is true.
 */
export function queryFlag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value !== null && value !== '0' && value.toLowerCase() !== 'false';
}

export function queryInt(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw badRequest(`invalid value for ${name}: ${value}`);
  return n;
}
