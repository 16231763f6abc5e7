import { createWriteStream, type WriteStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/**
 * Container log files, in the CRI format the real kubelet reads (one line per written line):
 *
 *     <RFC3339Nano timestamp> <stdout|stderr> <F|P> <content>
 *
 * `F` ends a line; `P` is a piece of a longer line that continues in the next record (lines over
 * 16 KiB are split, as containerd does). One file per container instance:
 * `<stateDir>/logs/<namespace>_<pod>_<pod uid>/<container>/<restartCount>.log`.
 *
 * The API server serves `kubectl logs` from these with the helpers below: `readLog` for one answer
 * (`--timestamps`, `--since`, `--since-time`, `--tail`, `--limit-bytes`) and `readLogFrom` to
 * follow a file (`-f`) by polling from the offset it returns.
 */

export type LogStream = 'stdout' | 'stderr';

export interface LogEntry {
  /** The RFC3339Nano time the line was written, as stored. */
  time: string;
  timeMs: number;
  stream: LogStream;
  content: string;
}

export interface LogQuery {
  /** Prefix each line with its time (`kubectl logs --timestamps`). */
  timestamps?: boolean;
  /** Only lines written at or after this time (ISO string or epoch milliseconds). */
  since?: string | number;
  /** Only the last N lines. */
  tailLines?: number;
  /** At most this many bytes of output. */
  limitBytes?: number;
}

const MAX_RECORD = 16 * 1024;

/** Nanosecond-shaped timestamp: milliseconds from the clock, the rest from the monotonic counter. */
export function logTimestamp(date = new Date()): string {
  const extra = String(process.hrtime.bigint() % 1_000_000n).padStart(6, '0');
  return date.toISOString().replace(/Z$/, `${extra}Z`);
}

export function formatLogRecord(time: string, stream: LogStream, content: string, partial = false): string {
  return `${time} ${stream} ${partial ? 'P' : 'F'} ${content}\n`;
}

/** One record of a log file, or undefined for a line that is not in the format. */
export function parseLogRecord(
  line: string,
): { time: string; stream: LogStream; partial: boolean; content: string } | undefined {
  const match = line.match(/^(\S+) (stdout|stderr) ([FP]) ?(.*)$/s);
  if (!match) return undefined;
  return { time: match[1]!, stream: match[2] as LogStream, partial: match[3] === 'P', content: match[4]! };
}

/** Parses a log file's text into whole lines (pieces of a split line joined, with the first piece's time). */
export function parseLog(text: string): LogEntry[] {
  const entries: LogEntry[] = [];
  const pending = new Map<LogStream, { time: string; content: string }>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const record = parseLogRecord(line);
    if (!record) continue;
    const before = pending.get(record.stream);
    const time = before?.time ?? record.time;
    const content = (before?.content ?? '') + record.content;
    if (record.partial) {
      pending.set(record.stream, { time, content });
      continue;
    }
    pending.delete(record.stream);
    entries.push({ time, timeMs: Date.parse(time), stream: record.stream, content });
  }
  return entries;
}

/** Applies `since`, `tailLines`, `timestamps` and `limitBytes` and renders what kubectl prints. */
export function renderLog(entries: LogEntry[], query: LogQuery = {}): string {
  let selected = entries;
  if (query.since !== undefined) {
    const since = typeof query.since === 'number' ? query.since : Date.parse(query.since);
    if (Number.isFinite(since)) selected = selected.filter((e) => e.timeMs >= since);
  }
  if (query.tailLines !== undefined && query.tailLines >= 0) {
    selected = query.tailLines === 0 ? [] : selected.slice(-query.tailLines);
  }
  let text = selected.map((e) => (query.timestamps ? `${e.time} ${e.content}\n` : `${e.content}\n`)).join('');
  if (query.limitBytes !== undefined && query.limitBytes >= 0) {
    text = Buffer.from(text).subarray(0, query.limitBytes).toString();
  }
  return text;
}

/** The whole answer to `kubectl logs` for one log file. */
export async function readLog(file: string, query: LogQuery = {}): Promise<string> {
  return renderLog(parseLog(await readFile(file, 'utf8')), query);
}

/**
 * The whole lines written after `offset` (a byte offset this function returned before, 0 at first),
 * and the offset to continue from: `kubectl logs -f` polls this. A half-written last line is left
 * for the next call.
 */
export async function readLogFrom(
  file: string,
  offset: number,
): Promise<{ entries: LogEntry[]; offset: number }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= offset) return { entries: [], offset };
    const buffer = Buffer.alloc(size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    const end = buffer.lastIndexOf(0x0a);
    if (end < 0) return { entries: [], offset };
    return { entries: parseLog(buffer.subarray(0, end + 1).toString('utf8')), offset: offset + end + 1 };
  } finally {
    await handle.close();
  }
}

/**
 * Writes a container's stdout and stderr to its log file as they arrive, a record per line, so that
 * the API server can serve (and follow) them while the container runs.
 */
export class LogWriter {
  private readonly file: WriteStream;
  private readonly partial: Record<LogStream, string> = { stdout: '', stderr: '' };
  // A character split between two chunks must not come out as two broken ones.
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private closed = false;

  constructor(path: string) {
    this.file = createWriteStream(path, { flags: 'a' });
    // A full disk must not take the node down; the container keeps running without its log.
    this.file.on('error', () => {
      this.closed = true;
    });
  }

  write(stream: LogStream, chunk: Buffer | string): void {
    if (this.closed) return;
    const text =
      this.partial[stream] + (typeof chunk === 'string' ? chunk : this.decoders[stream].write(chunk));
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    const time = logTimestamp();
    let out = '';
    for (const line of lines) out += this.record(time, stream, line);
    // A line that never ends is still written, in pieces, rather than held in memory forever.
    while (this.partial[stream].length > MAX_RECORD) {
      out += formatLogRecord(time, stream, this.partial[stream].slice(0, MAX_RECORD), true);
      this.partial[stream] = this.partial[stream].slice(MAX_RECORD);
    }
    if (out) this.file.write(out);
  }

  /** A line from the node itself (what it did instead of running a container), on stdout; resolves once on disk. */
  note(line: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) =>
      this.file.write(formatLogRecord(logTimestamp(), 'stdout', line), () => resolve()),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const time = logTimestamp();
    for (const stream of ['stdout', 'stderr'] as const) {
      this.partial[stream] += this.decoders[stream].end();
      if (this.partial[stream]) this.file.write(formatLogRecord(time, stream, this.partial[stream]));
      this.partial[stream] = '';
    }
    this.closed = true;
    await new Promise<void>((resolve) => this.file.end(resolve));
  }

  private record(time: string, stream: LogStream, line: string): string {
    let out = '';
    let rest = line;
    while (rest.length > MAX_RECORD) {
      out += formatLogRecord(time, stream, rest.slice(0, MAX_RECORD), true);
      rest = rest.slice(MAX_RECORD);
    }
    return out + formatLogRecord(time, stream, rest);
  }
}
