// Attach points are not made of ordinary tokens: `uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc`,
// `kprobe:vfs_*`, `kprobe:f+0x10` and `uprobe:"/path with space":fn` are each one word. So at the
// top level of a program the lexer hands the text to scanAttachPoint, which takes one attach point
// the way bpftrace does: a provider word, then, after a ':', everything up to whitespace or a
// character that cannot be part of a path. A '/' right after a colon-less word (`BEGIN/pid == 1/`)
// starts the predicate; a '/' after a ':' belongs to the path, so there the predicate needs a space.

export interface ScannedAttachPoint {
  /** Offset just past the attach point. */
  end: number;
  provider: string;
  parts: string[];
  /** Set when a quoted part is not closed; the attach point then runs to the end of the line. */
  unterminatedQuote?: number;
  /** `NAME=provider:…` (bpftrace 0.25+ names a probe so; reserved for later use). */
  label?: string;
}

const isWordChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;

export const isAttachPointStart = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;

// Characters allowed after the first ':' besides word characters: path separators, file-name
// punctuation, globs, `+offset`, `$1` parameters and further ':' separators.
const PATH_PUNCT = new Set('/.-*+:$#?[]'.split('').map((ch) => ch.charCodeAt(0)));

export function scanAttachPoint(src: string, start: number): ScannedAttachPoint {
  let i = start;
  for (;;) {
    const c = src.charCodeAt(i);
    if (i < src.length && (isWordChar(c) || c === 0x2a /* * */)) i++;
    // `$N` parameters count as part of the provider word too (`BEG$1` with IN is BEGIN).
    else if (c === 0x24 /* $ */ && src.charCodeAt(i + 1) >= 0x30 && src.charCodeAt(i + 1) <= 0x39) i += 2;
    else break;
  }
  const provider = src.slice(start, i);
  // `NAME=kprobe:f`: the name, then the attach point proper.
  if (src.charCodeAt(i) === 0x3d /* = */ && isAttachPointStart(src.charCodeAt(i + 1)) && /^\w+$/.test(provider)) {
    return { ...scanAttachPoint(src, i + 1), label: provider };
  }
  if (src.charCodeAt(i) !== 0x3a /* : */) return { end: i, provider, parts: [] };

  const parts: string[] = [];
  let current = '';
  let unterminatedQuote: number | undefined;
  i++; // the ':' after the provider
  for (;;) {
    const c = src.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const quoteStart = i;
      i++;
      while (i < src.length && src[i] !== '"' && src[i] !== '\n') {
        if (src[i] === '\\' && i + 1 < src.length && src[i + 1] !== '\n') i++;
        current += src[i];
        i++;
      }
      if (src[i] === '"') i++;
      else {
        unterminatedQuote = quoteStart;
        break;
      }
    } else if (c === 0x3a) {
      parts.push(current);
      current = '';
      i++;
    } else if (i < src.length && (isWordChar(c) || PATH_PUNCT.has(c))) {
      current += src[i];
      i++;
    } else break;
  }
  parts.push(current);
  return { end: i, provider, parts, unterminatedQuote };
}
