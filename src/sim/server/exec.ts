import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, badRequest } from '../../kube/errors.js';
import { admitRequest } from '../auth/index.js';
import type { Api } from './context.js';
import type { ApiCall } from './http.js';
import { handlePortForward } from './portforward.js';
import { parseRoute, type Route } from './route.js';
import { acceptWebSocket, isWebSocketUpgrade, requestedProtocols } from './websocket.js';

/**
 * pods/exec over the WebSocket remote-command protocol kubectl 1.30+ speaks first
 * (v5.channel.k8s.io, else v4: one byte of channel, 0 stdin, 1 stdout, 2 stderr, 3 the final
 * Status, 4 resize), running the command through Runtime.exec; port-forward upgrades go to
 * ./portforward.ts. What the simulated node cannot do — exec where the runtime has no exec, attach,
 * and SPDY upgrades for exec — is refused with a Kubernetes error that says what to use instead.
 */
const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

function refusal(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

function attachError(route: Route): ApiError {
  return refusal(
    `the simulated cluster cannot attach to a running container; read its output with: kubectl logs -f -n ${route.namespace} ${route.name}`,
  );
}

function execUnsupported(route: Route, container: string): ApiError {
  return refusal(
    `the simulated cluster cannot run commands in container "${container}" of pod "${route.name}"; read its output with kubectl logs -n ${route.namespace} ${route.name} -c ${container}`,
  );
}

/** exec, attach or portforward as a plain HTTP request (no upgrade): always an error. */
export function handleConnect(api: Api, _call: ApiCall, route: Route): void {
  api.store.require('Pod', route.namespace, route.name!);
  if (route.subresource === 'attach') throw attachError(route);
  throw badRequest('Upgrade request required');
}

function refuse(socket: Duplex, error: unknown): void {
  const apiError = error instanceof ApiError ? error : new ApiError(500, 'InternalError', String(error));
  const body = JSON.stringify(apiError.toStatus());
  socket.end(
    `HTTP/1.1 ${apiError.code} ${apiError.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function handleUpgrade(api: Api, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    if (api.auth) admitRequest(api.auth, req, url.pathname, url.searchParams);
    const route = parseRoute(url.pathname);
    if (!route || !('resource' in route) || route.resource.kind !== 'Pod' || !route.name || !route.namespace)
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const pod = api.store.require('Pod', route.namespace, route.name);
    if (route.subresource === 'portforward') {
      handlePortForward(api, req, socket, head, pod);
      return;
    }
    if (route.subresource === 'attach') throw attachError(route);
    if (route.subresource !== 'exec')
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
    const container = url.searchParams.get('container') || containers[0] || '';
    if (!containers.includes(container))
      throw badRequest(`container ${container} is not valid for pod ${route.name}`);
    const command = url.searchParams.getAll('command');
    if (command.length === 0) throw badRequest('you must specify at least 1 command');
    const runtime = api.runtime();
    const protocol = PROTOCOLS.find((p) => requestedProtocols(req).includes(p));
    if (!runtime?.exec) throw execUnsupported(route, container);
    if (!isWebSocketUpgrade(req) || !protocol)
      throw badRequest(
        'the simulated cluster speaks the WebSocket remote-command protocol (v5.channel.k8s.io or v4.channel.k8s.io) only; use kubectl 1.30 or newer',
      );
    const running = (pod.status?.containerStatuses ?? []).find((s: { name: string }) => s.name === container)
      ?.state?.running;
    if (!running)
      throw badRequest(
        `container ${container} is not running in pod ${route.name}; wait until it runs (kubectl get pod -n ${route.namespace} ${route.name})`,
      );
    runExec(api, req, socket, head, protocol, {
      namespace: route.namespace,
      pod: route.name,
      container,
      command,
    });
  } catch (error) {
    if (!(error instanceof ApiError)) api.log(`exec: ${(error as Error)?.stack ?? error}`);
    refuse(socket, error);
  }
}

interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
}

function runExec(
  api: Api,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  protocol: string,
  target: ExecTarget,
): void {
  const ws = acceptWebSocket(req, socket, head, protocol);
  const send = (channel: number, data: Buffer | string) =>
    ws.send(Buffer.concat([Buffer.from([channel]), typeof data === 'string' ? Buffer.from(data) : data]));
  // The first (empty) message on the lowest writable channel tells the client the streams are up.
  send(1, '');
  let done = false;
  const close = () => {
    if (done) return;
    done = true;
    api.closers.delete(close);
    ws.close();
  };
  api.closers.add(close);
  ws.onClose(() => {
    done = true;
    api.closers.delete(close);
  });
  api.runtime()!.exec!(target.namespace, target.pod, target.container, target.command)
    .then((result) => {
      if (done) return;
      if (!result) {
        send(
          3,
          JSON.stringify({
            metadata: {},
            status: 'Failure',
            message: execUnsupported(
              { namespace: target.namespace, name: target.pod } as Route,
              target.container,
            ).message,
            reason: 'BadRequest',
            code: 400,
          }),
        );
        return close();
      }
      if (result.stdout) send(1, result.stdout);
      if (result.stderr) send(2, result.stderr);
      const status =
        result.exitCode === 0
          ? { metadata: {}, status: 'Success' }
          : {
              metadata: {},
              status: 'Failure',
              message: `command terminated with non-zero exit code: error executing command [${target.command.join(' ')}], exit code ${result.exitCode}`,
              reason: 'NonZeroExitCode',
              details: { causes: [{ reason: 'ExitCode', message: String(result.exitCode) }] },
            };
      send(3, JSON.stringify(status));
      close();
    })
    .catch((error: unknown) => {
      if (done) return;
      send(
        3,
        JSON.stringify({
          metadata: {},
          status: 'Failure',
          message: `Internal error occurred: ${(error as Error)?.message ?? error}`,
          reason: 'InternalError',
          code: 500,
        }),
      );
      close();
    });
}
