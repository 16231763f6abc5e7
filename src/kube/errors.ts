/**
 * A Kubernetes API error, answered as a `Status` object with the HTTP code kubectl expects
 * (kubectl prints `Error from server (Reason): message`).
 */
export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[] },
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus() {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      // A Status from an error the server did not classify has no reason (StatusReasonUnknown).
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `resource` is the plural with its group, as the API names it: `deployments.apps`. */
export const notFound = (resource: string, name: string, group = '') =>
  new ApiError(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, {
    name,
    group: group || undefined,
    kind: resource,
  });

export const alreadyExists = (resource: string, name: string, group = '') =>
  new ApiError(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, {
    name,
    group: group || undefined,
    kind: resource,
  });

export const conflict = (
  resource: string,
  name: string,
  group = '',
  why = 'the object has been modified; please apply your changes to the latest version and try again',
) =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`,
    {
      name,
      group: group || undefined,
      kind: resource,
    },
  );

/** 422 Invalid, naming each field as the API server does: `Deployment.apps "x" is invalid: spec.replicas: Invalid value: -1: ...`. */
export const invalid = (kind: string, group: string, name: string, causes: StatusCause[]) =>
  new ApiError(
    422,
    'Invalid',
    `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${aggregate(causes.map((c) => `${c.field ? `${c.field}: ` : ''}${c.message}`))}`,
    {
      name,
      group: group || undefined,
      kind,
      causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', ...c })),
    },
  );

export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
export const forbidden = (message: string) => new ApiError(403, 'Forbidden', message);
export const serviceUnavailable = (message: string) => new ApiError(503, 'ServiceUnavailable', message);
export const methodNotAllowed = (message: string) => new ApiError(405, 'MethodNotAllowed', message);
export const gone = (message: string) => new ApiError(410, 'Expired', message);

/** How the API server joins several errors into one message: one alone, several in brackets. */
function aggregate(messages: string[]): string {
  return messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;
}

function qualified(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}
