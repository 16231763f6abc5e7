import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The server side of a WebSocket (RFC 6455), just enough for Kubernetes' remote-command streams:
 * the handshake with subprotocol negotiation, binary messages in both directions, ping/pong and
 * close. Client frames are masked; ours are not.
 */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export interface WebSocket {
  protocol: string;
  /** Sends a binary message; false when the socket's buffer is full (see onDrain). */
  send(data: Buffer): boolean;
  close(code?: number): void;
  onMessage(listener: (data: Buffer) => void): void;
  onClose(listener: () => void): void;
  onDrain(listener: () => void): void;
  /** Stops (and restarts) reading from the client. */
  pause(): void;
  resume(): void;
}

/** The largest message a client may send (a SPDY frame is at most 16 MiB); bigger closes with 1009. */
const MAX_MESSAGE = 32 * 1024 * 1024;

export function requestedProtocols(req: IncomingMessage): string[] {
  return String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (
    String(req.headers.upgrade ?? '').toLowerCase() === 'websocket' &&
    Boolean(req.headers['sec-websocket-key'])
  );
}

/** Completes the handshake with `protocol` and returns the open socket. */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  protocol: string,
): WebSocket {
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${GUID}`).digest('base64');
  socket.write(
    [
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${accept}`,
      `Sec-WebSocket-Protocol: ${protocol}`,
      '',
      '',
    ].join('\r\n'),
  );
  const messageListeners: ((data: Buffer) => void)[] = [];
  const closeListeners: (() => void)[] = [];
  // What the client sent and was not parsed yet: chunks are joined only once a frame is whole.
  let chunks: Buffer[] = head.length ? [Buffer.from(head)] : [];
  let total = head.length;
  let fragments: Buffer[] = [];
  let fragmented = 0;
  const front = (n: number): Buffer => {
    if (chunks[0]!.length < n) chunks = [Buffer.concat(chunks, total)];
    return chunks[0]!;
  };
  let closed = false;

  const frame = (opcode: number, payload: Buffer): boolean => {
    if (closed || socket.destroyed) return true;
    const length = payload.length;
    const header =
      length < 126
        ? Buffer.from([0x80 | opcode, length])
        : length < 65536
          ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 255])
          : Buffer.concat([Buffer.from([0x80 | opcode, 127]), bigLength(length)]);
    return socket.write(Buffer.concat([header, payload]));
  };

  /** Ends the connection for a protocol violation (RFC 6455 7.4.1 codes). */
  const fail = (code: number) => {
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    frame(0x8, payload);
    chunks = [];
    total = 0;
    fragments = [];
    finish();
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  };

  const finish = () => {
    if (closed) return;
    closed = true;
    for (const l of closeListeners) l();
  };

  const parse = () => {
    for (;;) {
      if (closed || total < 2) return;
      let buffer = front(Math.min(total, 14));
      const fin = (buffer[0]! & 0x80) !== 0;
      const opcode = buffer[0]! & 0x0f;
      const masked = (buffer[1]! & 0x80) !== 0;
      let length = buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (length > MAX_MESSAGE || fragmented + length > MAX_MESSAGE) return fail(1009);
      if (opcode >= 0x8 && (length > 125 || !fin)) return fail(1002);
      if ((opcode > 0x2 && opcode < 0x8) || opcode > 0xa) return fail(1002);
      const maskAt = offset;
      if (masked) offset += 4;
      if (total < offset + length) return;
      buffer = front(offset + length);
      const payload = Buffer.from(buffer.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= buffer[maskAt + (i % 4)]!;
      const rest = buffer.subarray(offset + length);
      chunks = rest.length ? [rest, ...chunks.slice(1)] : chunks.slice(1);
      total -= offset + length;
      if (opcode === 0x8) {
        frame(0x8, payload.subarray(0, 2));
        socket.end();
        finish();
        return;
      }
      if (opcode === 0x9) frame(0xa, payload);
      else if (opcode === 0x0 || opcode === 0x1 || opcode === 0x2) {
        fragments.push(payload);
        fragmented += payload.length;
        if (fin) {
          const message = fragments.length === 1 ? payload : Buffer.concat(fragments);
          fragments = [];
          fragmented = 0;
          for (const l of messageListeners) l(message);
        }
      }
    }
  };

  socket.on('data', (chunk: Buffer) => {
    if (closed) return;
    chunks.push(chunk);
    total += chunk.length;
    parse();
  });
  socket.on('close', finish);
  socket.on('error', finish);
  setImmediate(parse);

  return {
    protocol,
    send: (data) => frame(0x2, data),
    close(code = 1000) {
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(code);
      frame(0x8, payload);
      setTimeout(() => socket.end(), 50).unref();
      finish();
    },
    onMessage: (l) => messageListeners.push(l),
    onClose: (l) => closeListeners.push(l),
    onDrain: (l) => socket.on('drain', l),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
  };
}

function bigLength(length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(length));
  return b;
}
