// Strings are bytes, as in C and bpftrace: a string literal or argument is the bytes the user wrote,
// printed back as written whatever they are. The compiler and runtime carry byte strings (one JS
// char per byte, written out as latin1); source text is decoded as UTF-8 with every byte that is
// not valid UTF-8 kept as a lone surrogate U+DC80..U+DCFF (Python's "surrogateescape"), so that
// turning a literal back into bytes gives exactly the bytes of the file or argument.

import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';

const ESCAPE_BASE = 0xdc00;

/** Source bytes as text: UTF-8, with invalid bytes escaped so toByteString() restores them. */
export function decodeSource(buf: Buffer): string {
  if (isUtf8(buf)) return buf.toString('utf8');
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const n = validSequenceLength(buf, i);
    if (n) {
      out += buf.toString('utf8', i, i + n);
      i += n;
    } else {
      out += String.fromCharCode(ESCAPE_BASE + buf[i]!);
      i++;
    }
  }
  return out;
}

/** Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates), or 0. */
function validSequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** Text as a byte string: its UTF-8 bytes, escaped bytes (see decodeSource) as they were. */
export function toByteString(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) out += text[i];
    else if (c >= ESCAPE_BASE + 0x80 && c <= ESCAPE_BASE + 0xff) out += String.fromCharCode(c - ESCAPE_BASE);
    else {
      // A surrogate pair is one character: encode both halves together.
      const next = text.charCodeAt(i + 1);
      const pair = c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? text.slice(i, i + 2) : text[i]!;
      if (pair.length === 2) i++;
      out += Buffer.from(pair, 'utf8').toString('latin1');
    }
  }
  return out;
}

/** A byte string as a file name or command argument for Node's APIs. */
export function bytesToBuffer(bytes: string): Buffer {
  return Buffer.from(bytes, 'latin1');
}

/**
 * The command-line arguments with bytes that are not UTF-8 kept (see decodeSource): Node's
 * process.argv has already replaced them with U+FFFD, so they are read again from /proc.
 */
export function rawArgs(argv: string[]): string[] {
  if (!argv.some((a) => a.includes('\ufffd'))) return argv;
  try {
    const all = readFileSync('/proc/self/cmdline').toString('latin1').split('\0');
    all.pop(); // after the last NUL
    if (all.length < argv.length) return argv;
    return all.slice(all.length - argv.length).map((a) => decodeSource(Buffer.from(a, 'latin1')));
  } catch {
    return argv;
  }
}
