/**
 * Handing the keyboard to another program (the learner's editor). For a terminal, `pause()` stops
 * the stream but not the read underneath it: a line typed into the editor could still be read by
 * this process first. Node stops a socket's reading itself with its handle's readStop(); this does
 * the same, and the next read of the stream starts reading again.
 */
type Readable = NodeJS.ReadStream & { _handle?: { reading?: boolean; readStop?: () => number } };

export function releaseKeyboard(stdin: NodeJS.ReadStream): void {
  if (stdin.isTTY) stdin.setRawMode(false);
  stdin.pause();
  const handle = (stdin as Readable)._handle;
  if (handle?.reading && handle.readStop) {
    handle.reading = false;
    handle.readStop();
  }
}

export function takeKeyboard(stdin: NodeJS.ReadStream): void {
  if (stdin.isTTY) stdin.setRawMode(true);
  // With a 'readable' listener attached, resume() reads again without switching to flowing mode.
  stdin.resume();
}
