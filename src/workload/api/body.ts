import type { IncomingMessage } from 'node:http';

export type Body = { ok: true; text: string } | { ok: false; tooLarge: true };

/** Bytes of an oversized body we still read (and drop) so the client sees our 413, not a reset. */
const DISCARD_LIMIT = 1024 * 1024;

/**
 * Reads a request body up to `limit` bytes. A larger one is refused without keeping it: the rest is
 * read and dropped (up to DISCARD_LIMIT) so that the client gets to read the 413 answer.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    if (tooLarge && declared > limit + DISCARD_LIMIT) {
      request.resume();
      resolve({ ok: false, tooLarge: true });
      return;
    }
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        if (size > limit + DISCARD_LIMIT) {
          request.removeAllListeners('data');
          request.resume();
          resolve({ ok: false, tooLarge: true });
        }
        return;
      }
      if (!tooLarge) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(
        tooLarge ? { ok: false, tooLarge: true } : { ok: true, text: Buffer.concat(chunks).toString('utf8') },
      ),
    );
    request.on('error', reject);
  });
}
