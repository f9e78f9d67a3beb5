// pton("1.2.3.4") / pton("fe80::1"): an address literal as its bytes in network order, converted at
// compile time (inet_pton). As in bpftrace 0.17 the text picks the family - a '.' means IPv4, else a
// ':' IPv6 - so "::ffff:1.2.3.4" is refused, as bpftrace refuses it. The value is a u8 array
// (format 'bytes', printed "[1,2,3,4]"), which ntop() turns back into text.

import { QUOTED_IN_026 } from './formats';
import { isIPv4, isIPv6 } from 'node:net';
import { none, type StringType, type Type } from '../../common/types';
import type { FunctionDef, ValueFormat } from './types';

const parsed = new WeakMap<object, number[]>();

/** inet_pton's bytes, or undefined where inet_pton would fail. */
export function ptonBytes(text: string): number[] | undefined {
  if (text.includes('.')) {
    // inet_pton(AF_INET) takes exactly four decimal parts; node's isIPv4 agrees (no octal, no short forms).
    return isIPv4(text) ? text.split('.').map(Number) : undefined;
  }
  if (!text.includes(':') || !isIPv6(text) || text.includes('%')) return undefined;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const part = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const groups = [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

export function bytesType(n: number): StringType {
  // One spare byte, as for every byte array (see kernel-field.ts): decoding reads size - 1 bytes.
  return { kind: 'string', size: n + 1, format: 'bytes' };
}

export const pton: FunctionDef = {
  examples: [{ script: 'BEGIN { print(pton("1.2.3.4")); exit(); }', output: '[1,2,3,4]\n\n\n', sameAs017: true }],
  name: 'pton',
  check(ctx, call) {
    const [arg] = call.args;
    if (call.args.length !== 1 || arg.kind !== 'StrLit') {
      ctx.error('pton() expects one string literal: an IPv4 or IPv6 address', arg ?? call, 'e.g. pton("127.0.0.1") or pton("::1")');
      return none;
    }
    const text = arg.value;
    if (!text.includes('.') && !text.includes(':')) {
      ctx.error(`pton() expects an string argument of an IPv4/IPv6 address, got ${text}`, call, 'an IPv4 address has dots ("10.0.0.1"), an IPv6 address colons ("fe80::1")');
      return none;
    }
    const bytes = ptonBytes(text);
    if (!bytes) {
      ctx.error(`pton() expects a valid IPv4/IPv6 address, got ${text}`, call, 'IPv4 is four decimal numbers 0-255 ("10.0.0.1"); IPv6 has no embedded IPv4 part in pton() ("::ffff:a00:1")');
      return none;
    }
    parsed.set(call, bytes);
    return bytesType(bytes.length);
  },
  emit(ctx, call) {
    const { b, c } = ctx;
    const bytes = parsed.get(call) ?? ptonBytes((call.args[0] as { value: string }).value)!;
    const i8 = c.int(8);
    const buf = ctx.zeroed(bytes.length + 1, 'pton');
    bytes.forEach((v, i) => {
      if (v !== 0) b.store(c.constInt(i8, v), b.byteOffset(buf, i, i8));
    });
    return { type: bytesType(bytes.length), v: buf };
  },
};

/** Whether a value is pton()'s bytes (ntop() takes them back). */
export function isAddressBytes(t: Type): boolean {
  return t.kind === 'string' && t.format === bytesFormat.name;
}

/**
 * size - 1 bytes printed "[1,2,3,4]", unquoted in JSON. In a map key bpftrace 0.17 prints the
 * elements as signed chars.
 */
export const bytesFormat: ValueFormat = {
  name: 'bytes',
  examples: [{ script: 'BEGIN { @ = pton("127.0.0.1"); exit(); }', output: '\n\n@: [127,0,0,1]\n', sameAs017: true }],
  decode(view, off, t, _host, asKey) {
    const n = t.size - 1;
    const at = view.byteOffset + off;
    return `[${(asKey ? new Int8Array(view.buffer, at, n) : new Uint8Array(view.buffer, at, n)).join(',')}]`;
  },
  json: (v) => String(v),
  jsonIn: QUOTED_IN_026,
  printf: 'array',
};
