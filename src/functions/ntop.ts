// ntop([af,] addr): an IPv4 or IPv6 address as text. The probe only copies the family and the
// address bytes into a 20-byte record; decodeValue (values.ts) formats it in user space as
// inet_ntop does. addr is an integer (IPv4, as it lies in memory: network order), or a 4- or
// 16-byte array (`skc_v6_daddr.in6_u.u6_addr8`); without af, the size decides the family.

import { none, type StringType } from '../types';
import type { FunctionDef } from './types';
import { byteArrayLength } from '../semantic/blob-layout';

const AF_INET = 2;
const AF_INET6 = 10;
const inet: StringType = { kind: 'string', size: 20, format: 'inet' };

export const ntop: FunctionDef = {
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
    if (!(addr.kind === 'int' || (arrayBytes !== undefined ? arrayBytes === 4 || arrayBytes === 16 : addr.kind === 'string' && (!addr.format || addr.format === 'bytes') && (addr.size === 5 || addr.size === 17)))) {
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
