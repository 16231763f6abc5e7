import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { usageError } from '../errors.js';

/** An answers file is a few pages of text: 23 answers, a design of a few KB, short answers of 20 KB at most. */
export const MAX_ANSWERS_FILE_BYTES = 2 * 1024 * 1024;

/**
 * Reads a file of quiz answers. Only a regular file is read, opened without waiting, so that a
 * FIFO or a device is refused rather than read for ever; a file over the cap is refused with its
 * size rather than read.
 */
export async function readAnswersFile(path: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(
      `Cannot read the answers file ${path}: ${code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message}.`,
    );
  }
  try {
    const info = await handle.stat();
    if (!info.isFile())
      throw usageError(
        `Cannot read the answers file ${path}: it is not a regular file (${info.isFIFO() ? 'a FIFO' : info.isDirectory() ? 'a folder' : 'a device or socket'}). Give the path of a YAML file of answers.`,
      );
    if (info.size > MAX_ANSWERS_FILE_BYTES)
      throw usageError(
        `The answers file ${path} is ${(info.size / 1024 / 1024).toFixed(1)} MB; an answers file is at most ${MAX_ANSWERS_FILE_BYTES / 1024 / 1024} MB. Keep each short answer to a few sentences.`,
      );
    // Read no more than the cap, even if the file grows while it is read.
    const buffer = Buffer.alloc(Math.min(info.size, MAX_ANSWERS_FILE_BYTES) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_ANSWERS_FILE_BYTES)
      throw usageError(
        `The answers file ${path} is over ${MAX_ANSWERS_FILE_BYTES / 1024 / 1024} MB; an answers file is at most that.`,
      );
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}
