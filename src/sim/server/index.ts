import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ApiError, methodNotAllowed } from '../../kube/errors.js';
import { Catalog } from '../../kube/resources.js';
import { startApiExtensions } from '../apiextensions/index.js';
import { admitRequest } from '../auth/index.js';
import type { SigningKey } from '../auth/tokens.js';
import type { Runtime } from '../runtime-api.js';
import type { Store } from '../store.js';
import type { Api } from './context.js';
import { handleDelete, handleDeleteCollection } from './delete.js';
import { discoveryDocument } from './discovery.js';
import { handleConnect, handleUpgrade } from './exec.js';
import { type ApiCall, notFoundPath, queryFlag, readBody, sendError } from './http.js';
import { handleLog } from './logs.js';
import { handleMetrics } from './metrics.js';
import { openapiDocument } from './openapi.js';
import { openapiV2 } from './openapi-v2.js';
import { handleProxy } from './proxy.js';
import { handleGet, handleList } from './read.js';
import { handleReview, handleTokenRequest } from './reviews.js';
import { parseRoute, type Route } from './route.js';
import { handleScale } from './scale.js';
import { handleBinding, handleEviction, handleFinalize } from './special.js';
import { handleWatch } from './watch.js';
import { handleCreate, handlePatch, handleUpdate } from './write.js';

/**
 * The simulated cluster's API server: one HTTPS listener that the real kubectl accepts as a
 * Kubernetes API, serving the certificate its own CA signed (see ../tls.ts). Requests are handled
 * synchronously against the store (fast, and ordered), except the long ones: watches, followed
 * logs, proxied requests and exec sessions.
 */
export interface ApiServer {
  server: Server;
  /** Listens on 127.0.0.1 (port 0: any free port); resolves with the server URL. */
  listen(port?: number): Promise<string>;
  /** Ends every watch and stream, then the listener. */
  close(): Promise<void>;
}

export interface ApiServerOptions {
  /** The serving certificate and its key (PEM), and the CA that signs client certificates. */
  tls: { cert: string; key: string; ca?: string };
  /** The key ServiceAccount tokens are signed with: with it, every request is authenticated and authorized. */
  serviceAccountKey?: SigningKey;
  log?: (line: string) => void;
}

export function createApiServer(
  store: Store,
  runtime: Runtime | (() => Runtime | undefined) | undefined,
  options: ApiServerOptions,
): ApiServer {
  const catalog = new Catalog();
  const api: Api = {
    store,
    catalog,
    runtime: typeof runtime === 'function' ? runtime : () => runtime,
    log: options.log ?? (() => {}),
    closers: new Set(),
    auth: options.serviceAccountKey
      ? {
          store,
          key: options.serviceAccountKey,
          ca: options.tls.ca ? new X509Certificate(options.tls.ca) : undefined,
        }
      : undefined,
  };
  api.closers.add(startApiExtensions(store, catalog));
  const sockets = new Set<Duplex>();
  // TLS 1.2 and 1.3 only, as the API server's default (--tls-min-version VersionTLS12).
  const server = createServer(
    {
      cert: options.tls.cert,
      key: options.tls.key,
      minVersion: 'TLSv1.2',
      // A client certificate is asked for, never required: a client may send a token, or nothing.
      // It is checked against the CA by the authenticator; given to TLS, the CA would also go out
      // in the server's chain, which a real API server does not send.
      requestCert: Boolean(options.tls.ca),
      rejectUnauthorized: false,
    },
    (req, res) => {
      // No request may end the server: whatever escapes a handler ends its own connection only.
      handle(api, req, res).catch((error: unknown) => {
        api.log(
          `internal error while answering ${req.method} ${req.url}: ${(error as Error)?.stack ?? error}`,
        );
        res.destroy();
      });
    },
  );
  // Node's parser refuses a method it does not know before any handler runs; the API server takes
  // any method and answers 405 with a Status. Other malformed requests get Node's plain 400.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // As Node's own handler: nothing is written over a response already on its way.
    const busy = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || busy?.headersSent) return socket.destroy();
    const plain = (status: string) => socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    if (error.code === 'HPE_INVALID_METHOD') {
      const body = JSON.stringify(
        methodNotAllowed('the server does not allow this method on the requested resource').toStatus(),
      );
      socket.end(
        `HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    } else if (error.code === 'HPE_HEADER_OVERFLOW') plain('431 Request Header Fields Too Large');
    else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') plain('408 Request Timeout');
    else plain('400 Bad Request');
  });
  // Plain HTTP sent to the TLS port: Go's server (so the API server) answers it in clear text
  // rather than only closing, so that `curl http://…` says what is wrong. OpenSSL has recognised
  // the request line by then; its TCP socket is still open beneath the failed TLS one.
  server.on('tlsClientError', (error: NodeJS.ErrnoException, tlsSocket: Duplex) => {
    const raw = (tlsSocket as Duplex & { _parent?: Duplex })._parent;
    if (error.code === 'ERR_SSL_HTTP_REQUEST' && raw?.writable)
      raw.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
    else tlsSocket.destroy();
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (TRACE)
      api.log(
        `${req.method} ${req.url} upgrade=${req.headers.upgrade} protocols=${req.headers['sec-websocket-protocol'] ?? ''}`,
      );
    handleUpgrade(api, req, socket, head);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 30_000;

  return {
    server,
    listen(port = 0) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
        });
      });
    },
    async close() {
      for (const close of [...api.closers]) close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/** CHURN_LABS_SIM_TRACE=1 logs every request (method, path, content type), for diagnosing a client. */
const TRACE = Boolean(process.env.CHURN_LABS_SIM_TRACE);

async function handle(api: Api, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const call: ApiCall = {
    req,
    res,
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    warnings: [],
    // etcd answers a write only once its log is on disk; so does this API server.
    beforeAnswer: req.method === 'GET' || req.method === 'HEAD' ? undefined : () => api.store.sync(),
  };
  if (TRACE)
    api.log(
      `${call.method} ${req.url} ct=${req.headers['content-type'] ?? ''} accept=${req.headers.accept ?? ''}`,
    );
  try {
    if (api.auth) call.user = admitRequest(api.auth, req, url.pathname, url.searchParams);
    const route = parseRoute(url.pathname, api.catalog);
    if (route && 'resource' in route && route.subresource === 'proxy') {
      await handleProxy(api, call, route);
      return;
    }
    const body = call.method === 'GET' || call.method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);
    await dispatch(api, call, route, body);
  } catch (error) {
    sendError(call, error, api.log);
  }
}

function sendText(
  call: ApiCall,
  code: number,
  text: string,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  call.res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  call.res.end(text);
}

async function dispatch(
  api: Api,
  call: ApiCall,
  route: ReturnType<typeof parseRoute>,
  body: Buffer,
): Promise<void> {
  const { path, method } = call;
  if (method === 'GET') {
    const doc = discoveryDocument(path, call.req.headers.accept, api.catalog);
    if (doc) return sendText(call, 200, doc.body, doc.contentType);
    if (path === '/healthz' || path === '/livez' || path === '/readyz')
      return sendText(call, 200, 'ok', 'text/plain; charset=utf-8');
    if (path === '/openapi/v2' || path === '/swagger-2.0.0.pb-v1') {
      const doc = openapiV2(call.req.headers.accept, api.catalog);
      call.res.writeHead(200, {
        'Content-Type': doc.contentType,
        'Content-Length': Buffer.byteLength(doc.body),
      });
      call.res.end(doc.body);
      return;
    }
    if (path.startsWith('/openapi/v3')) {
      const doc = openapiDocument(path, call.query.get('hash'), api.catalog);
      if (doc) return sendText(call, 200, doc.body, 'application/json', doc.headers);
    }
  }
  if (!route) throw notFoundPath();
  if (!('resource' in route)) throw notFoundPath();
  if (route.resource.virtual) return handleMetrics(api, call, route);
  if (REVIEWS.has(route.resource.group) && !route.subresource) {
    if (method !== 'POST' || route.name) throw notAllowed(method, route);
    return handleReview(api, call, route, body);
  }
  if (route.subresource) return handleSubresource(api, call, route, body);
  const watching = route.watch || queryFlag(call.query, 'watch');
  if (!route.name) {
    if (method === 'GET') return watching ? handleWatch(api, call, route) : handleList(api, call, route);
    if (!route.resource.namespaced || route.namespace !== undefined) {
      if (method === 'POST') return handleCreate(api, call, route, body);
      if (method === 'DELETE') return handleDeleteCollection(api, call, route, body);
    }
    throw notAllowed(method, route);
  }
  if (route.resource.namespaced && route.namespace === undefined) throw notFoundPath();
  switch (method) {
    case 'GET':
      return watching ? handleWatch(api, call, route) : handleGet(api, call, route);
    case 'PUT':
      return handleUpdate(api, call, route, body);
    case 'PATCH':
      return handlePatch(api, call, route, body);
    case 'DELETE':
      return handleDelete(api, call, route, body);
    default:
      throw notAllowed(method, route);
  }
}

function handleSubresource(api: Api, call: ApiCall, route: Route, body: Buffer): void | Promise<void> {
  const { method } = call;
  const sub = route.subresource!;
  const offered = route.resource.subresources.some((s) => s.name === sub);
  if (!offered || !route.name) throw notFoundPath();
  switch (sub) {
    case 'status':
      if (method === 'GET') return handleGet(api, call, route);
      if (method === 'PUT') return handleUpdate(api, call, route, body);
      if (method === 'PATCH') return handlePatch(api, call, route, body);
      break;
    case 'scale':
      return handleScale(api, call, route, body);
    case 'log':
      if (method === 'GET') return handleLog(api, call, route);
      break;
    case 'exec':
    case 'attach':
    case 'portforward':
      return handleConnect(api, call, route);
    case 'eviction':
      if (method === 'POST') return handleEviction(api, call, route, body);
      break;
    case 'binding':
      if (method === 'POST') return handleBinding(api, call, route, body);
      break;
    case 'finalize':
      if (method === 'PUT') return handleFinalize(api, call, route, body);
      break;
    case 'token':
      return handleTokenRequest(api, call, route, body);
  }
  throw notAllowed(method, route);
}

/** The groups whose resources are reviews: created and answered, never stored. */
const REVIEWS = new Set(['authorization.k8s.io', 'authentication.k8s.io']);

function notAllowed(method: string, route: Route): ApiError {
  return methodNotAllowed(
    `the server does not allow this method on the requested resource (${method.toLowerCase()} ${route.resource.plural})`,
  );
}
