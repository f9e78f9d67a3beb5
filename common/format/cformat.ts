// One C printf conversion applied to one argument, with glibc's results for flags, width and
// precision (bpftrace formats each conversion with the C library's snprintf).

export type LengthModifier = '' | 'hh' | 'h' | 'l' | 'll' | 'z' | 'j' | 't';
export type ConversionChar = 'd' | 'i' | 'u' | 'x' | 'X' | 'o' | 'p' | 'c' | 's' | 'r' | 'rx' | 'rh';

export interface ConversionSpec {
  minus: boolean;
  zero: boolean;
  plus: boolean;
  space: boolean;
  hash: boolean;
  width: number;
  /** -1 when absent. */
  precision: number;
  length: LengthModifier;
  conv: ConversionChar;
}

/** C reads the 64-bit argument through the length modifier: no modifier means int. */
export function lengthBits(length: LengthModifier): number {
  switch (length) {
    case 'hh':
      return 8;
    case 'h':
      return 16;
    case '':
      return 32;
    default:
      return 64;
  }
}

function pad(body: string, spec: ConversionSpec): string {
  if (body.length >= spec.width) return body;
  return spec.minus ? body.padEnd(spec.width) : body.padStart(spec.width);
}

/** %d %i %u %x %X %o on the argument's 64-bit pattern `raw`. */
export function formatInteger(spec: ConversionSpec, raw: bigint): string {
  const bits = lengthBits(spec.length);
  const signedConv = spec.conv === 'd' || spec.conv === 'i';
  const v = signedConv ? BigInt.asIntN(bits, raw) : BigInt.asUintN(bits, raw);
  const neg = v < 0n;
  const mag = neg ? -v : v;
  let digits: string;
  let prefix = '';
  switch (spec.conv) {
    case 'x':
      digits = mag.toString(16);
      if (spec.hash && mag !== 0n) prefix = '0x';
      break;
    case 'X':
      digits = mag.toString(16).toUpperCase();
      if (spec.hash && mag !== 0n) prefix = '0X';
      break;
    case 'o':
      digits = mag.toString(8);
      break;
    default:
      digits = mag.toString();
  }
  if (spec.precision >= 0) {
    if (spec.precision === 0 && mag === 0n) digits = '';
    else if (digits.length < spec.precision) digits = digits.padStart(spec.precision, '0');
  }
  if (spec.conv === 'o' && spec.hash && !digits.startsWith('0')) digits = '0' + digits;
  if (signedConv) prefix = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return padNumber(prefix, digits, spec);
}

/** Zero padding goes between the sign or 0x and the digits, and only without a precision. */
function padNumber(prefix: string, digits: string, spec: ConversionSpec): string {
  const len = prefix.length + digits.length;
  if (len >= spec.width) return prefix + digits;
  if (spec.minus) return (prefix + digits).padEnd(spec.width);
  if (spec.zero && spec.precision < 0) return prefix + digits.padStart(spec.width - prefix.length, '0');
  return (prefix + digits).padStart(spec.width);
}

/** glibc's %p: "(nil)" for zero (padded with spaces only), else 0x and lowercase hex. */
export function formatPointer(spec: ConversionSpec, raw: bigint): string {
  const v = BigInt.asUintN(64, raw);
  if (v === 0n) return pad('(nil)', spec);
  let digits = v.toString(16);
  if (spec.precision > digits.length) digits = digits.padStart(spec.precision, '0');
  const prefix = spec.plus ? '+0x' : spec.space ? ' 0x' : '0x';
  return padNumber(prefix, digits, spec);
}

/** %c: the low byte; zero flag and precision do not apply. */
export function formatChar(spec: ConversionSpec, raw: bigint): string {
  return pad(String.fromCharCode(Number(BigInt.asUintN(8, raw))), spec);
}

/** %s: precision cuts, width pads with spaces (even with the 0 flag, as glibc does). */
export function formatString(spec: ConversionSpec, s: string): string {
  return pad(spec.precision >= 0 && s.length > spec.precision ? s.slice(0, spec.precision) : s, spec);
}
