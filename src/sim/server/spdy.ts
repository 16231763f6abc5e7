import {
  dataFrames,
  type Frame,
  FrameReader,
  GOAWAY,
  goAwayFrame,
  HeaderEncoder,
  type Headers,
  ProtocolError,
  pingFrame,
  RST,
  rstStreamFrame,
  synReplyFrame,
} from './spdy-frames.js';

/**
 * The server end of a SPDY/3.1 connection, as the kubelet's streaming server runs it
 * (apimachinery's httpstream/spdy over moby/spdystream): the client opens streams (odd ids, rising),
 * each is accepted with a SYN_REPLY or refused with a RST_STREAM; data flows both ways with FIN for
 * a half-close; PINGs are answered; GOAWAY stops new streams and the connection ends once the open
 * ones have. Like spdystream there is no flow control (WINDOW_UPDATE and SETTINGS are ignored).
 * A frame that cannot be parsed ends the connection, never the server.
 */
export interface Transport {
  /** Writes bytes; false when the peer is not reading fast enough (wait for onDrain). */
  write(data: Buffer): boolean;
  onData(listener: (data: Buffer) => void): void;
  onDrain(listener: () => void): void;
  onClose(listener: () => void): void;
  pause(): void;
  resume(): void;
  close(): void;
}

/** Streams one connection may hold open at once; more are refused (a client gone wrong). */
const MAX_OPEN_STREAMS = 1000;

export class SpdyStream {
  private dataListeners: ((data: Buffer) => void)[] = [];
  private endListeners: (() => void)[] = [];
  private resetListeners: (() => void)[] = [];
  localFinished = false;
  remoteFinished = false;
  reset = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: Headers,
  ) {}

  header(name: string): string {
    return this.headers.get(name)?.[0] ?? '';
  }

  /** Sends data; false when the connection is backed up. */
  write(data: Buffer | string): boolean {
    if (this.localFinished || this.reset) return true;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (bytes.length === 0) return true;
    return this.session.send(dataFrames(this.id, bytes, false));
  }

  /** Half-closes: an empty DATA frame with FIN. */
  end(): void {
    if (this.localFinished || this.reset) return;
    this.localFinished = true;
    this.session.send(dataFrames(this.id, Buffer.alloc(0), true));
    this.session.settle(this);
  }

  /** Ends both directions at once (RST_STREAM CANCEL). */
  cancel(): void {
    if (this.reset) return;
    this.session.send(rstStreamFrame(this.id, RST.CANCEL));
    this.closeLocally();
  }

  onData(listener: (data: Buffer) => void): void {
    this.dataListeners.push(listener);
  }
  onEnd(listener: () => void): void {
    this.endListeners.push(listener);
  }
  onReset(listener: () => void): void {
    this.resetListeners.push(listener);
  }

  /** @internal */
  receive(data: Buffer, fin: boolean): void {
    if (this.remoteFinished || this.reset) return;
    if (data.length) for (const l of this.dataListeners) l(data);
    if (fin) {
      this.remoteFinished = true;
      for (const l of this.endListeners) l();
      this.session.settle(this);
    }
  }

  /** @internal The peer reset the stream, or the connection ended. */
  closeLocally(): void {
    if (this.reset) return;
    this.reset = true;
    this.session.forget(this);
    for (const l of this.resetListeners) l();
  }
}

export interface SpdySessionOptions {
  /**
   * Decides on a new stream before it is accepted: a reason refuses it (RST_STREAM), undefined
   * accepts it (SYN_REPLY), after which `onStream` gets it.
   */
  check(headers: Headers): string | undefined;
  onStream(stream: SpdyStream): void;
  onClose?(): void;
  log?(line: string): void;
}

export class SpdySession {
  private readonly reader = new FrameReader();
  private readonly encoder = new HeaderEncoder();
  private readonly streams = new Map<number, SpdyStream>();
  private lastStreamId = 0;
  private goneAway = false;
  private closed = false;

  constructor(
    private readonly transport: Transport,
    private readonly options: SpdySessionOptions,
  ) {
    transport.onData((chunk) => this.receive(chunk));
    transport.onClose(() => this.end());
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** @internal */
  send(bytes: Buffer): boolean {
    if (this.closed) return true;
    return this.transport.write(bytes);
  }

  /** Stops reading from the client until resumeInput (a pod is not taking data as fast). */
  pauseInput(): void {
    this.transport.pause();
  }
  resumeInput(): void {
    this.transport.resume();
  }
  /** Called when writes that returned false have gone out. */
  onDrain(listener: () => void): void {
    this.transport.onDrain(listener);
  }

  /** Ends the connection: every open stream is reset, then the transport closes. */
  close(): void {
    this.end();
  }

  /** @internal A stream whose two directions are both finished is done. */
  settle(stream: SpdyStream): void {
    if (stream.localFinished && stream.remoteFinished) this.forget(stream);
  }

  /** @internal */
  forget(stream: SpdyStream): void {
    this.streams.delete(stream.id);
    if (this.goneAway && this.streams.size === 0) this.end();
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of [...this.streams.values()]) stream.closeLocally();
    this.streams.clear();
    this.transport.close();
    this.options.onClose?.();
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (error) {
      const reason = error instanceof ProtocolError ? error.message : String(error);
      this.options.log?.(`port-forward: closing a SPDY connection: ${reason}`);
      this.transport.write(goAwayFrame(this.lastStreamId, GOAWAY.PROTOCOL_ERROR));
      this.end();
      return;
    }
    for (const frame of frames) {
      if (this.closed) return;
      this.handle(frame);
    }
  }

  private handle(frame: Frame): void {
    switch (frame.type) {
      case 'syn_stream':
        this.open(frame.streamId, frame.headers, frame.fin);
        break;
      case 'data':
        this.streams.get(frame.streamId)?.receive(frame.data, frame.fin);
        break;
      case 'headers':
        if (frame.fin) this.streams.get(frame.streamId)?.receive(Buffer.alloc(0), true);
        break;
      case 'rst_stream':
        this.streams.get(frame.streamId)?.closeLocally();
        break;
      case 'ping':
        // The client's pings have odd ids; an even one would answer a ping of ours (there are none).
        if (frame.id % 2 === 1) this.send(pingFrame(frame.id));
        break;
      case 'goaway':
        this.goneAway = true;
        if (this.streams.size === 0) this.end();
        break;
      default:
        // SYN_REPLY (we open no streams), SETTINGS and WINDOW_UPDATE: nothing to do.
        break;
    }
  }

  private open(streamId: number, headers: Headers, fin: boolean): void {
    if (this.goneAway) return;
    // A client's stream ids are odd and rising; any other is refused as spdystream does.
    if (streamId % 2 === 0 || streamId <= this.lastStreamId) {
      this.send(rstStreamFrame(streamId, RST.PROTOCOL_ERROR));
      return;
    }
    this.lastStreamId = streamId;
    if (this.streams.size >= MAX_OPEN_STREAMS) {
      this.send(rstStreamFrame(streamId, RST.REFUSED_STREAM));
      return;
    }
    const refusal = this.options.check(headers);
    if (refusal !== undefined) {
      this.options.log?.(`port-forward: stream rejected: ${refusal}`);
      this.send(rstStreamFrame(streamId, RST.CANCEL));
      return;
    }
    const stream = new SpdyStream(this, streamId, headers);
    this.streams.set(streamId, stream);
    this.send(synReplyFrame(this.encoder, streamId, new Map()));
    this.options.onStream(stream);
    if (fin) stream.receive(Buffer.alloc(0), true);
  }
}
