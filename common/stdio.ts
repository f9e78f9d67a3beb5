// Writing to stdout and stderr with blocking write(2), as a C program (bpftrace) does. Node's
// process.stdout/stderr put a pipe into O_NONBLOCK mode, and that flag belongs to the open pipe,
// shared with every other process writing into it: `{ bpfscript -l & other; } | slow-reader` made
// `other` fail with EAGAIN. So bpfscript never creates those streams on its own paths; the
// library paths that may (yargs' help) go through blockingStdio() first.

import { writeSync } from 'node:fs';
import { toByteString } from './bytes';

/** Sleeps the thread ~1 ms: what a blocking write would do while the reader catches up. */
function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
}

/**
 * Writes all of `buf` to `fd`. EAGAIN (a pipe someone else made non-blocking) waits and retries;
 * returns false when the reader has gone away (EPIPE); other errors (ENOSPC) are thrown.
 */
export function writeBytes(fd: number, buf: Buffer): boolean {
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') pause();
      else if (code === 'EPIPE') return false;
      else throw e;
    }
  }
  return true;
}

/** UTF-8 text (messages, listings) to stdout. */
export function out(text: string): void {
  writeText(1, text);
}

/** UTF-8 text (diagnostics, warnings) to stderr. */
export function err(text: string): void {
  writeText(2, text);
}

function writeText(fd: number, text: string): void {
  try {
    // UTF-8, but a source line's bytes that were not UTF-8 (escaped by decodeSource) go out as
    // they were, as bpftrace echoes the line.
    writeBytes(fd, Buffer.from(toByteString(text), 'latin1'));
  } catch {
    // A message that cannot be written has nowhere else to go.
  }
}

/**
 * For code that writes through process.stdout/stderr (yargs): turn them into blocking writers
 * once created, so their pipe is never left non-blocking for the processes sharing it.
 */
export function blockingStdio(): void {
  for (const s of [process.stdout, process.stderr]) {
    const handle = (s as unknown as { _handle?: { setBlocking?: (on: boolean) => number } })._handle;
    handle?.setBlocking?.(true);
  }
}
