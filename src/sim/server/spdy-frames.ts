import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * SPDY/3.1 framing, as Kubernetes' streaming connections use it (kubectl port-forward's client is
 * moby/spdystream): the 8-byte frame headers, the control frames, and name/value header blocks
 * compressed with zlib over SPDY/3's dictionary — one compression context per direction for the
 * whole connection, each block ending with a sync flush. The contexts are kept as the last 32 KiB
 * of what went through them, which is all a deflate window can refer back to.
 */
export const CONTROL = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

export const RST = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5 } as const;
export const GOAWAY = { OK: 0, PROTOCOL_ERROR: 1, INTERNAL_ERROR: 2 } as const;

/** A frame's payload is at most 2^24-1 bytes: its length field has 24 bits. */
export const MAX_PAYLOAD = 0xffffff;
/** What one header block may decompress to; a bigger one is refused as a protocol error. */
export const MAX_HEADER_BLOCK = 256 * 1024;

export type Headers = Map<string, string[]>;

export type Frame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'syn_stream'; streamId: number; fin: boolean; headers: Headers }
  | { type: 'syn_reply' | 'headers'; streamId: number; fin: boolean; headers: Headers }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'settings' | 'window_update' };

export class ProtocolError extends Error {}

/** The SPDY/3 header dictionary: length-prefixed names and values, then a run of common text. */
// biome-ignore format: one protocol constant, kept compact
const DICTIONARY_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding',
  'accept-language', 'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection',
  'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location',
  'content-md5', 'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host',
  'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified',
  'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via',
  'warning', 'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url',
  'public', 'set-cookie', 'keep-alive', 'origin',
];
const DICTIONARY_TEXT =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request' +
  '401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented' +
  '503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 ' +
  'Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,' +
  'application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=' +
  'gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

export const DICTIONARY: Buffer = Buffer.concat([
  ...DICTIONARY_WORDS.flatMap((word) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(word.length);
    return [length, Buffer.from(word, 'latin1')];
  }),
  Buffer.from(DICTIONARY_TEXT, 'latin1'),
]);

const WINDOW = 32 * 1024;

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** zlib's stream header announcing a preset dictionary (best compression, as Go's writer sends). */
function zlibHeader(): Buffer {
  const header = Buffer.alloc(6);
  header[0] = 0x78;
  header[1] = 0xf9;
  header.writeUInt32BE(adler32(DICTIONARY), 2);
  return header;
}

export class HeaderEncoder {
  private window = DICTIONARY;
  private started = false;

  encode(headers: Headers): Buffer {
    const parts: Buffer[] = [u32(headers.size)];
    for (const [name, values] of headers) {
      const n = Buffer.from(name.toLowerCase(), 'utf8');
      const v = Buffer.from(values.join('\0'), 'utf8');
      parts.push(u32(n.length), n, u32(v.length), v);
    }
    const plain = Buffer.concat(parts);
    const compressed = deflateRawSync(plain, {
      dictionary: this.window,
      finishFlush: constants.Z_SYNC_FLUSH,
      level: 9,
    });
    this.window = Buffer.concat([this.window, plain]).subarray(-WINDOW);
    if (this.started) return compressed;
    this.started = true;
    return Buffer.concat([zlibHeader(), compressed]);
  }
}

export class HeaderDecoder {
  private window = DICTIONARY;
  private started = false;

  decode(block: Buffer): Headers {
    let body = block;
    if (!this.started) {
      if (block.length < 6) throw new ProtocolError('header block too short');
      const cmf = block[0]!;
      const flg = block[1]!;
      if ((cmf & 0x0f) !== 8 || ((cmf << 8) | flg) % 31 !== 0 || (flg & 0x20) === 0)
        throw new ProtocolError('header block is not a zlib stream with a dictionary');
      if (block.readUInt32BE(2) !== adler32(DICTIONARY))
        throw new ProtocolError('header block uses another dictionary');
      this.started = true;
      body = block.subarray(6);
    }
    let plain: Buffer;
    try {
      plain = inflateRawSync(body, {
        dictionary: this.window,
        finishFlush: constants.Z_SYNC_FLUSH,
        maxOutputLength: MAX_HEADER_BLOCK,
      });
    } catch (error) {
      throw new ProtocolError(`undecodable header block: ${(error as Error).message}`);
    }
    this.window = Buffer.concat([this.window, plain]).subarray(-WINDOW);
    return parseHeaderBlock(plain);
  }
}

function parseHeaderBlock(plain: Buffer): Headers {
  let at = 0;
  const u32At = () => {
    if (at + 4 > plain.length) throw new ProtocolError('truncated header block');
    const value = plain.readUInt32BE(at);
    at += 4;
    return value;
  };
  const bytes = (length: number) => {
    if (length > plain.length - at) throw new ProtocolError('truncated header block');
    const value = plain.toString('utf8', at, at + length);
    at += length;
    return value;
  };
  const count = u32At();
  if (count > (plain.length - at) / 8) throw new ProtocolError('header count exceeds the block');
  const headers: Headers = new Map();
  for (let i = 0; i < count; i++) {
    const name = bytes(u32At());
    const value = bytes(u32At());
    if (name.length === 0 || name !== name.toLowerCase()) throw new ProtocolError('invalid header name');
    if (headers.has(name)) throw new ProtocolError('multiple headers with same name');
    headers.set(name, value.split('\0'));
  }
  if (at !== plain.length) throw new ProtocolError('trailing bytes in header block');
  return headers;
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

/** Cuts a byte stream into frames; throws ProtocolError on one it cannot accept. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private readonly decoder = new HeaderDecoder();

  push(chunk: Buffer): Frame[] {
    if (chunk.length === 0) return [];
    this.chunks.push(chunk);
    this.length += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      const raw = this.next();
      if (!raw) return frames;
      const frame = this.parse(raw);
      if (frame) frames.push(frame);
    }
  }

  /** The next whole frame's bytes, joining chunks only once a frame is complete. */
  private next(): Buffer | undefined {
    if (this.length < 8) return undefined;
    if (this.chunks[0]!.length < 8) this.chunks = [Buffer.concat(this.chunks, this.length)];
    const size = 8 + this.chunks[0]!.readUIntBE(5, 3);
    if (this.length < size) return undefined;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
    const rest = all.subarray(size);
    this.chunks = rest.length ? [rest] : [];
    this.length = rest.length;
    return all.subarray(0, size);
  }

  private parse(raw: Buffer): Frame | undefined {
    const flags = raw[4]!;
    const payload = raw.subarray(8);
    if ((raw[0]! & 0x80) === 0) {
      const streamId = raw.readUInt32BE(0) & 0x7fffffff;
      if (streamId === 0) throw new ProtocolError('stream id zero is disallowed');
      return { type: 'data', streamId, fin: (flags & FLAG_FIN) !== 0, data: payload };
    }
    const type = raw.readUInt16BE(2);
    const need = (n: number, exact = false) => {
      if (exact ? payload.length !== n : payload.length < n) throw new ProtocolError('invalid control frame');
    };
    const streamIdAt = (offset: number) => {
      const id = payload.readUInt32BE(offset) & 0x7fffffff;
      if (id === 0) throw new ProtocolError('stream id zero is disallowed');
      return id;
    };
    switch (type) {
      case CONTROL.SYN_STREAM: {
        need(10);
        const streamId = streamIdAt(0);
        const headers = this.decoder.decode(payload.subarray(10));
        return { type: 'syn_stream', streamId, fin: (flags & FLAG_FIN) !== 0, headers };
      }
      case CONTROL.SYN_REPLY:
      case CONTROL.HEADERS: {
        need(4);
        const streamId = streamIdAt(0);
        const headers = this.decoder.decode(payload.subarray(4));
        const kind = type === CONTROL.SYN_REPLY ? 'syn_reply' : 'headers';
        return { type: kind, streamId, fin: (flags & FLAG_FIN) !== 0, headers };
      }
      case CONTROL.RST_STREAM: {
        need(8, true);
        const status = payload.readUInt32BE(4);
        if (status === 0) throw new ProtocolError('invalid control frame');
        return { type: 'rst_stream', streamId: streamIdAt(0), status };
      }
      case CONTROL.SETTINGS:
        need(4);
        if (payload.length !== 4 + 8 * payload.readUInt32BE(0)) throw new ProtocolError('invalid settings');
        return { type: 'settings' };
      case CONTROL.PING: {
        need(4, true);
        const id = payload.readUInt32BE(0);
        if (id === 0 || flags !== 0) throw new ProtocolError('invalid ping');
        return { type: 'ping', id };
      }
      case CONTROL.GOAWAY:
        need(8, true);
        return {
          type: 'goaway',
          lastGoodStreamId: payload.readUInt32BE(0) & 0x7fffffff,
          status: payload.readUInt32BE(4),
        };
      case CONTROL.WINDOW_UPDATE:
        need(8, true);
        return { type: 'window_update' };
      default:
        throw new ProtocolError(`unknown frame type ${type}`);
    }
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(0x8003, 0);
  header.writeUInt16BE(type, 2);
  header.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
  return Buffer.concat([header, payload]);
}

/** DATA frames for `data` (several when it is longer than a frame holds); FIN on the last. */
export function dataFrames(streamId: number, data: Buffer, fin: boolean): Buffer {
  const frames: Buffer[] = [];
  let offset = 0;
  do {
    const part = data.subarray(offset, offset + MAX_PAYLOAD);
    offset += part.length;
    const last = offset >= data.length;
    const header = Buffer.alloc(8);
    header.writeUInt32BE(streamId & 0x7fffffff, 0);
    header.writeUInt32BE((((last && fin ? FLAG_FIN : 0) << 24) | part.length) >>> 0, 4);
    frames.push(header, part);
  } while (offset < data.length);
  return Buffer.concat(frames);
}

export function synReplyFrame(encoder: HeaderEncoder, streamId: number, headers: Headers): Buffer {
  return controlFrame(CONTROL.SYN_REPLY, 0, Buffer.concat([u32(streamId), encoder.encode(headers)]));
}

export function synStreamFrame(encoder: HeaderEncoder, streamId: number, headers: Headers): Buffer {
  const ids = Buffer.alloc(10);
  ids.writeUInt32BE(streamId, 0);
  return controlFrame(CONTROL.SYN_STREAM, 0, Buffer.concat([ids, encoder.encode(headers)]));
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  return controlFrame(CONTROL.RST_STREAM, 0, Buffer.concat([u32(streamId), u32(status)]));
}

export function pingFrame(id: number): Buffer {
  return controlFrame(CONTROL.PING, 0, u32(id));
}

export function goAwayFrame(lastGoodStreamId: number, status: number): Buffer {
  return controlFrame(CONTROL.GOAWAY, 0, Buffer.concat([u32(lastGoodStreamId), u32(status)]));
}

/** Any control frame, for tests that play a hostile client. */
export function rawControlFrame(type: number, flags: number, payload: Buffer): Buffer {
  return controlFrame(type, flags, payload);
}
