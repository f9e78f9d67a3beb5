// ntop([af,] addr): an IPv4 or IPv6 address as text. The probe only copies the family and the
// address bytes into a 20-byte record; its value format (inetFormat) makes the text in user space
// as inet_ntop does. addr is an integer (IPv4, as it lies in memory: network order), or a 4- or
// 16-byte array (`skc_v6_daddr.in6_u.u6_addr8`); without af, the size decides the family.

import { none, type StringType } from '../../common/types';
import type { FunctionDef, ValueFormat } from './types';
import { isAddressBytes } from './pton';
import { byteArrayLength } from '../semantic/blob-layout';

const AF_INET = 2;
const AF_INET6 = 10;
const inet: StringType = { kind: 'string', size: 20, format: 'inet' };

export const ntop: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%s %s\\n", ntop(0x0100007f), ntop(pton("::1"))); exit(); }', output: '127.0.0.1 ::1\n\n\n', sameAs017: true }],
  name: 'ntop',
  check(ctx, call) {
    if (call.args.length < 1 || call.args.length > 2) {
      ctx.error('ntop() takes an address, or an address family and an address', call);
      return none;
    }
    const types = call.args.map((a) => ctx.typeOf(a));
    if (types.some((t) => t.kind === 'none')) return none;
    const addr = types[types.length - 1];
    if (call.args.length === 2 && types[0].kind !== 'int') ctx.error('ntop(): the address family must be an integer (AF_INET, AF_INET6)', call.args[0]);
    const arrayBytes = byteArrayLength(addr);
    if (!(addr.kind === 'int' || (arrayBytes !== undefined ? arrayBytes === 4 || arrayBytes === 16 : addr.kind === 'string' && (!addr.format || isAddressBytes(addr)) && (addr.size === 5 || addr.size === 17)))) {
      ctx.error('ntop() expects an integer (IPv4) or a 4- or 16-byte array', call.args[call.args.length - 1]);
      return none;
    }
    return inet;
  },
  emit(ctx, call) {
    const { b, c } = ctx;
    const i32 = c.int(32);
    const buf = ctx.zeroed(inet.size, 'ntop');
    const addrExpr = call.args[call.args.length - 1];
    const addr = ctx.emit(addrExpr);
    const bytes = addr.type.kind === 'string' ? addr.type.size - 1 : 4;
    const af = call.args.length === 2 ? b.intCast(ctx.emit(call.args[0]).v, i32, false) : c.constInt(i32, bytes === 16 ? AF_INET6 : AF_INET);
    b.store(af, b.bitcast(buf, c.ptr(i32)));
    const dst = b.byteOffset(buf, 4, c.int(8));
    if (addr.type.kind === 'int') b.store(b.intCast(addr.v, i32, false), b.bitcast(dst, c.ptr(i32)));
    else b.memcpy(dst, addr.v, bytes);
    return { type: inet, v: buf };
  },
};

/** ntop()'s record (u32 family, then the address bytes in network order) as inet_ntop prints it. */
export function formatInet(view: DataView, off: number): string {
  const af = view.getUint32(off, true);
  const b = new Uint8Array(view.buffer, view.byteOffset + off + 4, 16);
  if (af === AF_INET) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (af !== AF_INET6) return '';
  const groups = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]);
  // IPv4-mapped addresses print their last 32 bits dotted, as glibc's inet_ntop does.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  // The longest run of two or more zero groups (the first when tied) becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j > i ? j : i + 1;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Plain text everywhere; map printing joins such entries without newlines, as bpftrace 0.17 does. */
export const inetFormat: ValueFormat = {
  name: 'inet',
  examples: [{ script: 'BEGIN { @ = ntop(0x0100007f); exit(); }', output: '\n\n@: 127.0.0.1\n', sameAs017: true }],
  decode: (view, off) => formatInet(view, off),
  printf: 'string',
  joinsMapLines: true,
};
