import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { badRequest } from '../../kube/errors.js';
import type { KubeObject } from '../../kube/objects.js';
import type { Api } from './context.js';
import { SpdySession, type SpdyStream, type Transport } from './spdy.js';
import type { Headers } from './spdy-frames.js';
import { acceptWebSocket, isWebSocketUpgrade, requestedProtocols, type WebSocket } from './websocket.js';

/**
 * pods/portforward as the API server and the kubelet serve it to kubectl 1.32: SPDY/3.1 tunnelled
 * in a WebSocket (subprotocol SPDY/3.1+portforward.k8s.io, kubectl's first try), or a plain SPDY/3.1
 * upgrade (its fallback). Each forwarded connection is a pair of streams sharing a requestID: the
 * data stream carries the bytes, the error stream the kubelet's error text. The pod end is a TCP
 * connection to where the simulated node runs the pod's port on loopback; a port nothing listens on
 * fails as containerd says it on kind.
 */
const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
const STREAM_PROTOCOL = 'portforward.k8s.io';
/** The kubelet's default: both streams of a pair must arrive within this. */
const STREAM_CREATION_TIMEOUT_MS = 30_000;
/** containerd: once one direction ends, the other gets this long before both are closed. */
const CLOSE_GRACE_MS = 1_000;

interface PodTarget {
  namespace: string;
  name: string;
  sandbox: string;
  netns: string;
}

/** The sandbox id and network namespace path containerd would give the pod (stable per uid). */
function target(pod: KubeObject): PodTarget {
  const hash = (what: string) =>
    createHash('sha256')
      .update(`${what}/${pod.metadata.uid ?? pod.metadata.name}`)
      .digest('hex');
  const n = hash('netns');
  return {
    namespace: pod.metadata.namespace!,
    name: pod.metadata.name,
    sandbox: hash('sandbox'),
    netns: `/var/run/netns/cni-${n.slice(0, 8)}-${n.slice(8, 12)}-${n.slice(12, 16)}-${n.slice(16, 20)}-${n.slice(20, 32)}`,
  };
}

/** A plain-text HTTP answer, as the kubelet's upgrade handlers write their refusals. */
function plainAnswer(socket: Duplex, status: string, text: string, headers: string[] = []): void {
  socket.end(
    [
      `HTTP/1.1 ${status}`,
      'Content-Type: text/plain; charset=utf-8',
      'X-Content-Type-Options: nosniff',
      `Content-Length: ${Buffer.byteLength(text) + 1}`,
      'Connection: close',
      ...headers,
      '',
      `${text}\n`,
    ].join('\r\n'),
  );
}

function headerList(req: IncomingMessage, name: string): string[] {
  const raw = req.headers[name];
  return (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Upgrades a pods/portforward request, or throws the ApiError to answer with. */
export function handlePortForward(
  api: Api,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  pod: KubeObject,
): void {
  if (!pod.spec?.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const forward = target(pod);
  let transport: Transport;
  if (isWebSocketUpgrade(req)) {
    if (!requestedProtocols(req).includes(TUNNEL_PROTOCOL))
      throw badRequest(
        `the simulated cluster forwards ports over SPDY/3.1 only (WebSocket subprotocol ${TUNNEL_PROTOCOL}, or an Upgrade: SPDY/3.1 request), as kubectl does`,
      );
    transport = webSocketTransport(acceptWebSocket(req, socket, head, TUNNEL_PROTOCOL));
  } else {
    const upgraded = spdyUpgrade(req, socket, head);
    if (!upgraded) return;
    transport = upgraded;
  }
  const forwarder = new Forwarder(api, forward);
  const session = new SpdySession(transport, {
    check: checkStream,
    onStream: (stream) => forwarder.add(stream),
    onClose: () => {
      forwarder.stop();
      api.closers.delete(close);
    },
    log: api.log,
  });
  forwarder.session = session;
  const close = () => session.close();
  api.closers.add(close);
}

/** The kubelet's plain SPDY/3.1 upgrade; refusals are answered here (undefined). */
function spdyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Transport | undefined {
  const connection = String(req.headers.connection ?? '').toLowerCase();
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  const offered = headerList(req, 'x-stream-protocol-version');
  if (!connection.includes('upgrade') || !upgrade.includes('spdy/3.1'))
    plainAnswer(socket, '400 Bad Request', 'unable to upgrade: missing upgrade headers in request');
  else if (offered.length === 0)
    plainAnswer(socket, '400 Bad Request', 'unable to upgrade: X-Stream-Protocol-Version is required');
  else if (!offered.includes(STREAM_PROTOCOL))
    plainAnswer(
      socket,
      '403 Forbidden',
      `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${STREAM_PROTOCOL}]`,
      [`X-Accepted-Stream-Protocol-Versions: ${STREAM_PROTOCOL}`],
    );
  else {
    socket.write(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Connection: Upgrade',
        'Upgrade: SPDY/3.1',
        `X-Stream-Protocol-Version: ${STREAM_PROTOCOL}`,
        '',
        '',
      ].join('\r\n'),
    );
    return socketTransport(socket, head);
  }
  return undefined;
}

function webSocketTransport(ws: WebSocket): Transport {
  return {
    write: (data) => ws.send(data),
    onData: (l) => ws.onMessage(l),
    onDrain: (l) => ws.onDrain(l),
    onClose: (l) => ws.onClose(l),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close: () => ws.close(),
  };
}

function socketTransport(socket: Duplex, head: Buffer): Transport {
  socket.on('error', () => socket.destroy());
  return {
    write: (data) => (socket.writable ? socket.write(data) : true),
    onData(listener) {
      if (head.length) setImmediate(() => listener(Buffer.from(head)));
      socket.on('data', listener);
    },
    onDrain: (l) => socket.on('drain', l),
    onClose: (l) => socket.on('close', l),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    close() {
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    },
  };
}

/** The kubelet's checks of a new stream's headers (httpStreamReceived); a reason refuses it. */
function checkStream(headers: Headers): string | undefined {
  const port = headers.get('port')?.[0] ?? '';
  if (!port) return '"port" header is required';
  if (!/^\d+$/.test(port))
    return `unable to parse "${port}" as a port: strconv.ParseUint: parsing "${port}": invalid syntax`;
  if (Number(port) > 65535)
    return `unable to parse "${port}" as a port: strconv.ParseUint: parsing "${port}": value out of range`;
  if (Number(port) < 1) return `port "${port}" must be > 0`;
  const type = headers.get('streamtype')?.[0] ?? '';
  if (!type) return '"streamType" header is required';
  if (type !== 'error' && type !== 'data') return `invalid stream type "${type}"`;
  return undefined;
}

interface Pair {
  id: string;
  data?: SpdyStream;
  error?: SpdyStream;
  timer?: NodeJS.Timeout;
}

/** One connection's forwarded requests: pairs streams by requestID, then joins each to the pod. */
class Forwarder {
  session!: SpdySession;
  private readonly pairs = new Map<string, Pair>();
  private readonly forwards = new Set<() => void>();
  /** Pod sockets that stopped reading the client: its input resumes when none is left. */
  private readonly blocking = new Set<Socket>();
  /** Pod sockets paused because the client is not reading fast enough. */
  private readonly waiting = new Set<Socket>();
  private draining = false;
  private readonly label = `0xc${createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 9)}`;

  constructor(
    private readonly api: Api,
    private readonly pod: PodTarget,
  ) {}

  add(stream: SpdyStream): void {
    if (!this.draining) {
      this.draining = true;
      this.session.onDrain(() => {
        for (const socket of this.waiting) socket.resume();
        this.waiting.clear();
      });
    }
    const type = stream.header('streamtype');
    let id = stream.header('requestid');
    // Clients before requestID: the pair's ids are consecutive, error first (the kubelet's guess).
    if (!id) id = String(type === 'error' ? stream.id : stream.id - 2);
    let pair = this.pairs.get(id);
    if (!pair) {
      const created: Pair = { id };
      created.timer = setTimeout(() => {
        this.pairs.delete(id);
        created.error?.write(`(conn=&{${this.label}}, request=${id}) timed out waiting for streams`);
      }, STREAM_CREATION_TIMEOUT_MS);
      created.timer.unref();
      this.pairs.set(id, created);
      pair = created;
    }
    const slot = type === 'error' ? 'error' : 'data';
    if (pair[slot]) {
      pair.error?.write(`error processing stream for request ${id}: ${slot} stream already assigned`);
      return;
    }
    pair[slot] = stream;
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      this.pairs.delete(id);
      this.forward(pair.data, pair.error);
    }
  }

  /** The connection ended: every forward ends with it. */
  stop(): void {
    for (const pair of this.pairs.values()) clearTimeout(pair.timer);
    this.pairs.clear();
    for (const end of [...this.forwards]) end();
  }

  private forward(data: SpdyStream, errors: SpdyStream): void {
    const port = Number(data.header('port'));
    const prefix = `error forwarding port ${port} to pod ${this.pod.sandbox}, uid : failed to execute portforward in network namespace "${this.pod.netns}": `;
    const fail = (reason: string) => {
      errors.write(prefix + reason);
      errors.end();
      data.end();
    };
    const runtime = this.api.runtime();
    const address = runtime?.forwardAddress
      ? runtime.forwardAddress(this.pod.namespace, this.pod.name, port)
      : runtime?.address(this.pod.namespace, this.pod.name, port);
    const refused = `failed to connect to localhost:${port} inside namespace "${this.pod.sandbox}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `;
    if (!address) {
      fail(refused);
      return;
    }

    const socket = connect({ host: address.host, port: address.port });
    let connected = false;
    let clientDone = false;
    let podDone = false;
    let finished = false;
    let grace: NodeJS.Timeout | undefined;
    const finish = (reason?: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(grace);
      this.forwards.delete(end);
      this.unblock(socket);
      this.waiting.delete(socket);
      socket.destroy();
      if (reason) errors.write(prefix + reason);
      errors.end();
      data.end();
    };
    const end = () => finish();
    this.forwards.add(end);
    const halfDone = () => {
      if (clientDone && podDone) finish();
      else grace ??= setTimeout(end, CLOSE_GRACE_MS);
    };

    socket.on('connect', () => {
      connected = true;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected) return finish(error.code === 'ECONNREFUSED' ? refused : error.message);
      if (error.code === 'ECONNRESET')
        return finish(
          `read tcp4 127.0.0.1:${socket.localPort ?? 0}->127.0.0.1:${port}: read: connection reset by peer`,
        );
      finish(error.message);
    });
    socket.on('data', (chunk: Buffer) => {
      if (!data.write(chunk)) {
        socket.pause();
        this.waiting.add(socket);
      }
    });
    socket.on('end', () => {
      podDone = true;
      data.end();
      halfDone();
    });
    socket.on('close', () => finish());
    data.onData((chunk) => {
      if (finished) return;
      if (!socket.write(chunk) && !this.blocking.has(socket)) {
        this.blocking.add(socket);
        this.session.pauseInput();
        socket.once('drain', () => this.unblock(socket));
      }
    });
    data.onEnd(() => {
      clientDone = true;
      if (!finished) socket.end();
      halfDone();
    });
    data.onReset(end);
  }

  private unblock(socket: Socket): void {
    if (!this.blocking.delete(socket)) return;
    if (this.blocking.size === 0) this.session.resumeInput();
  }
}
