/**
 * Handing the keyboard to another program (the learner's editor). For a terminal, `pause()` stops
 * the stream but not the read underneath it: a line typed into the editor could still be read by
 * this process first. Node stops a socket's reading itself with its handle's readStop(); this does
 * the same, and starts it again with readStart() afterwards: the stream does not, as it still
 * counts its last read as pending, so resume() alone leaves the keyboard dead.
 */
type Readable = NodeJS.ReadStream & {
  _handle?: { reading?: boolean; readStop?: () => number; readStart?: () => number };
};

export function releaseKeyboard(stdin: NodeJS.ReadStream): void {
  if (stdin.isTTY) stdin.setRawMode(false);
  stdin.pause();
  const handle = (stdin as Readable)._handle;
  if (handle?.readStop) {
    handle.reading = false;
    handle.readStop();
  }
}

export function takeKeyboard(stdin: NodeJS.ReadStream): void {
  if (stdin.isTTY) stdin.setRawMode(true);
  // With a 'readable' listener attached, resume() reads again without switching to flowing mode.
  stdin.resume();
  const handle = (stdin as Readable)._handle;
  if (handle?.readStart && !handle.reading) {
    handle.reading = true;
    handle.readStart();
  }
}
