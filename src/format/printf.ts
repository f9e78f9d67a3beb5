// printf() formatting as bpftrace 0.17 prints it, and the compile-time check of a format string
// against its arguments. Pure: the compiler checks with it, the runtime's handlers format with it.
//
// bpftrace 0.17 does not run the whole format through the C library. It finds the conversions,
// then formats piece by piece: each conversion together with the text before it goes through
// snprintf with that one argument (so "%%" there prints "%"), and the text after the last
// conversion is copied as is (so "%%" there stays "%%"; a format with no conversions prints
// verbatim). A piece is cut at its first NUL, so %c of 0 prints nothing. Integer arguments are
// passed as 64-bit values and read through the length modifier: %d shows the low 32 bits, %ld all
// 64, %hhd the low 8.
//
// Conversions recognized: flags [-0+ #], width, .precision, length hh h l ll z j t on
// d i u x X o p, and c s without length; %r %rx %rh of buf() values (see ./buffer.ts).
// Differences from 0.17 (which knows only the '-' and '0' flags and no %i): 0.17 treats %+d,
// % d, %#x and %i as plain text; here they are conversions. And 0.17 finds conversions inside
// "%%" ("%%d" counts as a %d, "%5%x" as a %x); here "%%" and "%5%" are skipped, as C does.

import { formatOf } from '../functions/formats';
import { enumeratorName, type Type, type Value } from '../../common/types';
import {
  type ConversionChar,
  type ConversionSpec,
  type LengthModifier,
  formatChar,
  formatInteger,
  formatPointer,
  formatString,
  lengthBits,
} from '../../common/format/cformat';
import { formatBuffer } from '../../common/format/buffer';

export interface Conversion extends ConversionSpec {
  /** Offsets of the conversion in the format string, end exclusive. */
  start: number;
  end: number;
  /** How bpftrace names it in errors: the length modifier and the conversion, e.g. "%ld". */
  name: string;
}

export interface ParsedFormat {
  format: string;
  conversions: Conversion[];
  /** prefixes[i]: the text printed before conversion i, "%%" already reduced to "%". */
  prefixes: string[];
  /** Text after the last conversion, printed verbatim. */
  tail: string;
}

// glibc prints a '%' for "%%" and also for "%" + flags, width, precision or length + "%".
const ESCAPE_SOURCE = '%[-+ #0]*[0-9]*(?:\\.[0-9]*)?(?:hh|h|ll|l|L|q|j|z|Z|t)?%';
const ESCAPE = new RegExp(ESCAPE_SOURCE, 'y');
const ESCAPES = new RegExp(ESCAPE_SOURCE, 'g');
const CONVERSION = /%([-+ #0]*)([0-9]*)(?:\.([0-9]+))?(?:(hh|h|ll|l|z|j|t)?([diuxXop])|([cs])|(r[xh]?))/y;

export function parseFormat(format: string): ParsedFormat {
  const conversions: Conversion[] = [];
  const prefixes: string[] = [];
  let pieceStart = 0;
  let i = format.indexOf('%');
  while (i >= 0 && i < format.length) {
    ESCAPE.lastIndex = i;
    if (ESCAPE.test(format)) {
      i = format.indexOf('%', ESCAPE.lastIndex);
      continue;
    }
    CONVERSION.lastIndex = i;
    const m = CONVERSION.exec(format);
    if (m === null) {
      i = format.indexOf('%', i + 1);
      continue;
    }
    const flags = m[1];
    const length = (m[4] ?? '') as LengthModifier;
    const conv = (m[5] ?? m[6] ?? m[7]) as ConversionChar;
    const end = i + m[0].length;
    conversions.push({
      start: i,
      end,
      name: `%${length}${conv}`,
      minus: flags.includes('-'),
      zero: flags.includes('0'),
      plus: flags.includes('+'),
      space: flags.includes(' '),
      hash: flags.includes('#'),
      width: m[2] === '' ? 0 : Number(m[2]),
      precision: m[3] === undefined ? -1 : Number(m[3]),
      length,
      conv,
    });
    prefixes.push(reducePercents(format.slice(pieceStart, i)));
    pieceStart = end;
    i = format.indexOf('%', end);
  }
  return { format, conversions, prefixes, tail: format.slice(pieceStart) };
}

/** What C printf makes of text without conversions: "%%" (even "%5%") is "%", a stray '%' stays. */
function parsed(format: string | ParsedFormat): ParsedFormat {
  return typeof format !== 'string' ? format : parseFormat(format);
}

function reducePercents(text: string): string {
  return text.includes('%') ? text.replace(ESCAPES, '%') : text;
}

function asRaw(v: Value | undefined): bigint {
  if (typeof v === 'bigint') return BigInt.asUintN(64, v);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  return 0n;
}

function formatOne(c: Conversion, arg: Value | undefined): string {
  switch (c.conv) {
    case 's':
      return formatString(c, typeof arg === 'string' ? arg : arg === undefined ? '' : String(arg));
    case 'c':
      return formatChar(c, asRaw(arg));
    case 'p':
      return formatPointer(c, asRaw(arg));
    case 'r':
    case 'rx':
    case 'rh':
      return formatString(c, formatBuffer(typeof arg === 'string' ? arg : '', c.conv));
    default:
      return formatInteger(c, asRaw(arg));
  }
}

/**
 * The text printf(format, args...) prints. Integers are bigint (any width; the value's own sign
 * extension is what bpftrace passes) or boolean, strings are byte strings (runtime/format/values.ts).
 */
export function formatPrintf(format: string | ParsedFormat, args: readonly Value[], types?: readonly Type[]): string {
  const p = parsed(format);
  const n = p.conversions.length;
  if (n === 0) return p.format;
  let out = '';
  for (let i = 0; i < n; i++) {
    const c = p.conversions[i];
    const t = types?.[i];
    const name = c.conv === 's' && t && typeof args[i] === 'bigint' ? enumeratorName(t, args[i] as bigint) : undefined;
    const piece = formatOne(c, name ?? args[i]);
    const nul = piece.indexOf('\0');
    out += p.prefixes[i] + (nul < 0 ? piece : piece.slice(0, nul));
  }
  return out + p.tail;
}

/** Parse once, format many times: what the runtime should keep per printf call site. */
export function compilePrintf(format: string, types?: readonly Type[]): (args: readonly Value[]) => string {
  const p = parseFormat(format);
  // Argument types matter only to %s of an enum (its enumerator's name).
  const named = types?.some((t) => t.kind === 'int' && t.enum) ? types : undefined;
  return (args) => formatPrintf(p, args, named);
}

/** Where a formatter reads each argument in an event record (see src/functions/event-record.ts). */
export interface RecordArg {
  type: Type;
  offset: number;
}

/**
 * Fast path for the common call site: every conversion a plain %d %i or %u (any length modifier;
 * no flags, width or precision) of an integer argument at least as wide as the conversion reads.
 * The formatter reads each argument straight from the record as the conversion's own width (what
 * formatInteger's BigInt.asIntN/asUintN would keep), so no bigint and no Value array per event.
 * "%d %d\n" went from 220-280 to ~70 ns per event in a micro-benchmark (bench/RESULTS.md has the
 * end-to-end throughput). Null when anything else is involved: use compilePrintf then.
 */
export function compilePrintfRecord(format: string, args: readonly RecordArg[]): ((view: DataView, off: number) => string) | null {
  const p = parseFormat(format);
  const n = p.conversions.length;
  if (n === 0 || args.length !== n) return null;
  const readers: ((view: DataView, off: number) => string)[] = [];
  for (let i = 0; i < n; i++) {
    const c = p.conversions[i];
    const t = args[i].type;
    if (c.conv !== 'd' && c.conv !== 'i' && c.conv !== 'u') return null;
    if (c.minus || c.zero || c.plus || c.space || c.hash || c.width !== 0 || c.precision !== -1) return null;
    const bits = lengthBits(c.length);
    // A narrower argument is sign- or zero-extended by its own type first: leave that to the slow path.
    if (t.kind !== 'int' || t.bits < bits) return null;
    const signed = c.conv !== 'u';
    const at = args[i].offset;
    switch (bits) {
      case 8:
        readers.push(signed ? (v, o) => String(v.getInt8(o + at)) : (v, o) => String(v.getUint8(o + at)));
        break;
      case 16:
        readers.push(signed ? (v, o) => String(v.getInt16(o + at, true)) : (v, o) => String(v.getUint16(o + at, true)));
        break;
      case 32:
        readers.push(signed ? (v, o) => String(v.getInt32(o + at, true)) : (v, o) => String(v.getUint32(o + at, true)));
        break;
      default:
        readers.push(signed ? (v, o) => v.getBigInt64(o + at, true).toString() : (v, o) => v.getBigUint64(o + at, true).toString());
    }
  }
  const { prefixes, tail } = p;
  return (view, off) => {
    let out = '';
    for (let i = 0; i < n; i++) out += prefixes[i] + readers[i](view, off);
    return out + tail;
  };
}

export interface PrintfError {
  /** bpftrace 0.17's wording, e.g. "printf: %s specifier expects a value of type string (integer supplied)". */
  message: string;
  /** The offending conversion (null for "Too many arguments"). */
  conversion: number | null;
  /** The offending argument (null for "Not enough arguments"). */
  argument: number | null;
  /** Offsets in the format string of the offending conversion, or of the whole string. */
  start: number;
  end: number;
}

/** bpftrace's word for an argument's type in printf errors. */
function typeWord(t: Type): string {
  switch (t.kind) {
    case 'int':
      return 'integer';
    case 'agg':
      return t.agg;
    case 'args':
      return 'args';
    case 'string':
      return printfKind(t);
    default:
      return t.kind;
  }
}

/** What printf calls a string-like value: plain strings and most formats are 'string'. */
function printfKind(t: Type): 'string' | 'buffer' | 'array' | 'record' {
  return formatOf(t)?.printf ?? 'string';
}

function expected(c: Conversion): 'integer' | 'string' | 'buffer' {
  if (c.conv === 's') return 'string';
  if (c.conv === 'r' || c.conv === 'rx' || c.conv === 'rh') return 'buffer';
  return 'integer';
}

function accepts(want: 'integer' | 'string' | 'buffer', t: Type): boolean {
  if (want === 'integer') return t.kind === 'int' || t.kind === 'bool';
  // bpftrace 0.24+ prints a bool through %s as true or false, and an enum as its enumerator's name.
  if (want === 'string' && (t.kind === 'bool' || (t.kind === 'int' && t.enum))) return true;
  return t.kind === 'string' && printfKind(t) === want;
}

/**
 * Checks a format string against the argument types at compile time, in bpftrace's order (the
 * count first, then each argument), returning the first problem or null.
 */
export function checkPrintf(format: string | ParsedFormat, argTypes: readonly Type[], fn = 'printf'): PrintfError | null {
  const p = parsed(format);
  const convs = p.conversions;
  const counts = `(${argTypes.length} supplied, ${convs.length} expected)`;
  if (argTypes.length < convs.length) {
    const c = convs[argTypes.length];
    return {
      message: `${fn}: Not enough arguments for format string ${counts}`,
      conversion: argTypes.length,
      argument: null,
      start: c.start,
      end: c.end,
    };
  }
  if (argTypes.length > convs.length) {
    return {
      message: `${fn}: Too many arguments for format string ${counts}`,
      conversion: null,
      argument: convs.length,
      start: 0,
      end: p.format.length,
    };
  }
  for (let i = 0; i < convs.length; i++) {
    const c = convs[i];
    const want = expected(c);
    if (!accepts(want, argTypes[i])) {
      return {
        message: `${fn}: ${c.name} specifier expects a value of type ${want} (${typeWord(argTypes[i])} supplied)`,
        conversion: i,
        argument: i,
        start: c.start,
        end: c.end,
      };
    }
  }
  return null;
}
