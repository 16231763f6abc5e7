import { connect as tlsConnect } from 'node:tls';
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpdySession, type SpdyStream, type Transport } from '../../../src/sim/server/spdy.js';
import {
  CONTROL,
  DICTIONARY,
  dataFrames,
  type Frame,
  FrameReader,
  HeaderEncoder,
  pingFrame,
  RST,
  rawControlFrame,
  synStreamFrame,
} from '../../../src/sim/server/spdy-frames.js';
import { setPodRunning, startCluster, type TestCluster, testRuntime } from './helpers.js';

/**
 * The SPDY/3.1 server end that kubectl port-forward talks to, played by a hostile client: frames
 * it must refuse (bad ids, bad headers, unknown types, header bombs, lengths it never gets) reset
 * the stream or end the connection, and never the server.
 */
function fakeClient(options: { refuse?: (port: string) => string | undefined } = {}) {
  const dataListeners: ((d: Buffer) => void)[] = [];
  const closeListeners: (() => void)[] = [];
  const reader = new FrameReader();
  const received: Frame[] = [];
  const streams: SpdyStream[] = [];
  let closed = false;
  const transport: Transport = {
    write(data) {
      received.push(...reader.push(data));
      return true;
    },
    onData: (l) => dataListeners.push(l),
    onDrain: () => {},
    onClose: (l) => closeListeners.push(l),
    pause: () => {},
    resume: () => {},
    close: () => {
      closed = true;
    },
  };
  const session = new SpdySession(transport, {
    check: (headers) => options.refuse?.(headers.get('port')?.[0] ?? ''),
    onStream: (s) => streams.push(s),
  });
  const encoder = new HeaderEncoder();
  return {
    session,
    received,
    streams,
    closed: () => closed,
    send: (bytes: Buffer) => {
      for (const l of dataListeners) l(bytes);
    },
    open: (id: number, headers: Record<string, string>) =>
      synStreamFrame(encoder, id, new Map(Object.entries(headers).map(([k, v]) => [k, [v]]))),
  };
}

describe('SPDY/3.1 framing', () => {
  it('the header dictionary is SPDY/3 s (1423 bytes)', () => {
    expect(DICTIONARY.length).toBe(1423);
    expect(DICTIONARY.subarray(0, 11).toString('latin1')).toBe('\0\0\0\u0007options');
    expect(DICTIONARY.subarray(-6).toString('latin1')).toBe('enq=0.');
  });

  it('accepts a stream, passes data both ways with half-closes, answers pings', () => {
    const c = fakeClient();
    c.send(c.open(1, { port: '8000', streamtype: 'data', requestid: '0' }));
    expect(c.received.shift()).toMatchObject({ type: 'syn_reply', streamId: 1 });
    const stream = c.streams[0]!;
    expect(stream.header('streamtype')).toBe('data');
    let got = '';
    let ended = false;
    stream.onData((d) => {
      got += d;
    });
    stream.onEnd(() => {
      ended = true;
    });
    c.send(Buffer.concat([dataFrames(1, Buffer.from('GET /'), false), dataFrames(1, Buffer.alloc(0), true)]));
    expect([got, ended]).toEqual(['GET /', true]);
    stream.write('200 OK');
    stream.end();
    expect(c.received.splice(0)).toMatchObject([
      { type: 'data', streamId: 1, fin: false, data: Buffer.from('200 OK') },
      { type: 'data', streamId: 1, fin: true },
    ]);
    expect(c.session.openStreams).toBe(0);
    c.send(pingFrame(7));
    expect(c.received.shift()).toEqual({ type: 'ping', id: 7 });
  });

  it('refuses streams with even, reused or rejected ids, and ignores data for unknown ones', () => {
    const c = fakeClient({ refuse: (port) => (port === '0' ? 'port "0" must be > 0' : undefined) });
    c.send(c.open(2, { port: '80', streamtype: 'data' }));
    c.send(c.open(3, { port: '0', streamtype: 'data' }));
    c.send(c.open(3, { port: '80', streamtype: 'data' }));
    c.send(dataFrames(99, Buffer.from('nobody'), true));
    expect(c.received).toEqual([
      { type: 'rst_stream', streamId: 2, status: RST.PROTOCOL_ERROR },
      { type: 'rst_stream', streamId: 3, status: RST.CANCEL },
      { type: 'rst_stream', streamId: 3, status: RST.PROTOCOL_ERROR },
    ]);
    expect(c.closed()).toBe(false);
  });

  const hostile: [string, (c: ReturnType<typeof fakeClient>) => Buffer][] = [
    ['an unknown control frame type', () => rawControlFrame(42, 0, Buffer.alloc(4))],
    ['a RST_STREAM of the wrong length', () => rawControlFrame(CONTROL.RST_STREAM, 0, Buffer.alloc(3))],
    ['a header block that is not zlib', () => rawControlFrame(CONTROL.SYN_STREAM, 0, Buffer.alloc(40, 7))],
    [
      'a header block claiming more headers than it holds',
      () => {
        const plain = Buffer.from([0xff, 0xff, 0xff, 0xff]);
        const header = Buffer.from([0x78, 0xf9, 0, 0, 0, 0]);
        header.writeUInt32BE(adler32(DICTIONARY), 2);
        const block = Buffer.concat([
          header,
          deflateRawSync(plain, { dictionary: DICTIONARY, finishFlush: 2 }),
        ]);
        return rawControlFrame(
          CONTROL.SYN_STREAM,
          0,
          Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.alloc(6), block]),
        );
      },
    ],
    [
      'a header block that inflates to megabytes',
      (c) => c.open(1, { port: '80', streamtype: 'data', requestid: 'x'.repeat(4 * 1024 * 1024) }),
    ],
    ['a data frame for stream 0', () => dataFrames(0, Buffer.from('x'), false)],
  ];
  for (const [what, frame] of hostile) {
    it(`ends the connection on ${what}`, () => {
      const c = fakeClient();
      c.send(frame(c));
      expect(c.received).toMatchObject([{ type: 'goaway', status: 1 }]);
      expect(c.closed()).toBe(true);
      expect(c.streams).toEqual([]);
    });
  }

  it('waits for a frame whose length has not arrived yet, without holding more than it', () => {
    const c = fakeClient();
    const header = Buffer.alloc(8);
    header.writeUInt32BE(1, 0);
    header.writeUInt32BE(0xffffff, 4);
    c.send(header);
    c.send(Buffer.alloc(1024));
    expect(c.received).toEqual([]);
    expect(c.closed()).toBe(false);
  });
});

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

describe('hostile port-forward connections to the API server', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ runtime: testRuntime() });
    await cluster.kubectl(['run', 'target', '--image=busybox:1.36', '--port=80']);
    setPodRunning(cluster.store, 'default', 'target');
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** Upgrades a TLS connection as the request says, sends `bytes`, and collects what comes back. */
  const attack = (upgrade: string[], bytes: Buffer) =>
    new Promise<string>((resolve) => {
      const url = new URL(cluster.sim.url);
      const socket = tlsConnect({
        host: url.hostname,
        port: Number(url.port),
        ca: cluster.sim.ca,
        ...cluster.sim.admin,
      });
      let got = Buffer.alloc(0);
      socket.on('data', (c) => {
        got = Buffer.concat([got, c]);
      });
      socket.on('close', () => resolve(got.toString('latin1')));
      socket.on('error', () => resolve(got.toString('latin1')));
      socket.write([...upgrade, 'Host: x', '', ''].join('\r\n'));
      socket.write(bytes);
      setTimeout(() => socket.destroy(), 3000).unref();
    });

  it('garbage after a SPDY upgrade closes that connection; the server serves on', async () => {
    const reply = await attack(
      [
        'POST /api/v1/namespaces/default/pods/target/portforward HTTP/1.1',
        'Connection: Upgrade',
        'Upgrade: SPDY/3.1',
        'X-Stream-Protocol-Version: portforward.k8s.io',
      ],
      Buffer.concat([rawControlFrame(77, 0, Buffer.alloc(0)), Buffer.alloc(64, 0xff)]),
    );
    expect(reply).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect((await cluster.fetch('/healthz')).status).toBe(200);
  });

  it('a WebSocket frame of 2^40 bytes is refused with close code 1009', async () => {
    const frame = Buffer.alloc(14);
    frame[0] = 0x82;
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(2n ** 40n, 2);
    const reply = await attack(
      [
        'GET /api/v1/namespaces/default/pods/target/portforward HTTP/1.1',
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io',
      ],
      frame,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(reply).toContain('Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io');
    expect(reply.endsWith('\x88\x02\x03\xf1')).toBe(true);
    expect((await cluster.fetch('/healthz')).status).toBe(200);
  });

  it('a plain request, or an upgrade without the stream protocol, is refused', async () => {
    const plain = await cluster.fetch('/api/v1/namespaces/default/pods/target/portforward', {
      method: 'POST',
    });
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as { message: string }).message).toBe('Upgrade request required');
    const reply = await attack(
      [
        'POST /api/v1/namespaces/default/pods/target/portforward HTTP/1.1',
        'Connection: Upgrade',
        'Upgrade: SPDY/3.1',
        'X-Stream-Protocol-Version: v9.example',
      ],
      Buffer.alloc(0),
    );
    expect(reply).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(reply).toContain(
      'unable to upgrade: unable to negotiate protocol: client supports [v9.example], server accepts [portforward.k8s.io]',
    );
  });
});
