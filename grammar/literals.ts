// Scanning of integer and string literals. Each returns where the literal ends, its value, and the
// problems found (with offsets), so the lexer can report them and still emit a token: a bad
// literal then costs one diagnostic instead of a cascade of syntax errors after it.

import { toByteString } from '../common/bytes';

export interface LiteralProblem {
  message: string;
  start: number;
  end: number;
}

const MAX_U64 = (1n << 64n) - 1n;

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined) => c !== undefined && /[0-9a-fA-F]/.test(c);
const isWordChar = (c: string | undefined) => c !== undefined && /[0-9A-Za-z_]/.test(c);

/** Duration suffixes turn an integer into nanoseconds: `5s`, `100ms`. */
const DURATIONS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
};

/** C's integer suffixes, accepted so values pasted from C headers read, and ignored. */
const C_SUFFIX = /^(?:[uU](?:l|L|ll|LL)?|(?:l|L|ll|LL)[uU]?)$/;

/**
 * Integers: decimal, hex `0x1f`, octal `017`, `_` separators `1_000`, exponent `1e6`, duration
 * suffixes `5s` and C suffixes `10UL`.
 */
export function scanInteger(src: string, start: number): { end: number; value: bigint; problem?: LiteralProblem } {
  let i = start;
  let digits = '';
  let radix = 10;
  if (src[i] === '0' && (src[i + 1] === 'x' || src[i + 1] === 'X') && isHex(src[i + 2])) {
    radix = 16;
    i += 2;
    while (isHex(src[i]) || src[i] === '_') digits += src[i++];
  } else {
    while (isDigit(src[i]) || src[i] === '_') digits += src[i++];
    if (digits.length > 1 && digits[0] === '0') radix = 8;
  }
  digits = digits.replace(/_/g, '');
  let exponent = 0;
  if (radix === 10 && (src[i] === 'e' || src[i] === 'E') && isDigit(src[i + 1])) {
    i++;
    let e = '';
    while (isDigit(src[i])) e += src[i++];
    exponent = Math.min(Number(e), 100);
  }
  let problem: LiteralProblem | undefined;
  let scale = 1n;
  if (isWordChar(src[i])) {
    const suffixStart = i;
    while (isWordChar(src[i])) i++;
    const suffix = src.slice(suffixStart, i);
    const unit = DURATIONS[suffix];
    if (unit !== undefined && radix !== 16) scale = unit;
    else if (!C_SUFFIX.test(suffix)) {
      problem = { message: `invalid integer literal '${src.slice(start, i)}'`, start, end: i };
      return { end: i, value: 0n, problem };
    }
  }
  if (radix === 8 && /[89]/.test(digits)) {
    return { end: i, value: 0n, problem: { message: `invalid octal literal '${src.slice(start, i)}'`, start, end: i } };
  }
  let value = 0n;
  const r = BigInt(radix);
  for (const d of digits) value = value * r + BigInt(parseInt(d, 16));
  value *= 10n ** BigInt(exponent) * scale;
  if (value > MAX_U64) {
    problem = { message: `integer literal '${src.slice(start, i)}' does not fit in 64 bits`, start, end: i };
    value = 0n;
  }
  return { end: i, value, problem };
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };

/**
 * A double-quoted string starting at `start` (the quote). Escapes `\n \t \r \\ \" \' \xNN \NNN`
 * are decoded; a raw newline ends an unterminated string, as in C.
 */
export function scanString(src: string, start: number): { end: number; value: string; problems: LiteralProblem[] } {
  const problems: LiteralProblem[] = [];
  // The value is a byte string: text as written becomes its UTF-8 bytes (or the raw bytes a file
  // held), escapes are bytes already. Runs of text are converted as a whole, so a surrogate pair
  // stays one character.
  let value = '';
  let text = '';
  const take = () => {
    value += toByteString(text);
    text = '';
  };
  let i = start + 1;
  for (;;) {
    const c = src[i];
    if (c === undefined || c === '\n') {
      take();
      problems.push({ message: 'unterminated string', start, end: i });
      return { end: i, value, problems };
    }
    if (c === '"') {
      take();
      return { end: i + 1, value, problems };
    }
    if (c !== '\\') {
      text += c;
      i++;
      continue;
    }
    take();
    const e = src[i + 1];
    if (e !== undefined && e in SIMPLE_ESCAPES) {
      value += SIMPLE_ESCAPES[e];
      i += 2;
    } else if (e === 'x' && isHex(src[i + 2])) {
      let j = i + 2;
      while (j < i + 4 && isHex(src[j])) j++;
      value += String.fromCharCode(parseInt(src.slice(i + 2, j), 16));
      i = j;
    } else if (e !== undefined && e >= '0' && e <= '7') {
      let j = i + 1;
      while (j < i + 4 && src[j] !== undefined && src[j]! >= '0' && src[j]! <= '7') j++;
      const code = parseInt(src.slice(i + 1, j), 8);
      if (code > 0xff) problems.push({ message: `octal escape '${src.slice(i, j)}' is out of range`, start: i, end: j });
      value += String.fromCharCode(code & 0xff);
      i = j;
    } else if (e === undefined || e === '\n') {
      i++; // reported as unterminated on the next turn
    } else {
      problems.push({ message: `invalid escape character '\\${e}'`, start: i, end: i + 2 });
      text += e;
      i += 2;
    }
  }
}
