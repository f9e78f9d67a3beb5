// macaddr(addr): a MAC address as text, "AA:BB:CC:DD:EE:FF" (upper case, as bpftrace prints it).
// The argument is a 6-byte array (copied), or an address whose 6 bytes are read with the helper of
// its address space. The probe keeps the raw bytes; macFormat formats them in user
// space, so printf %s, map keys and values all print the same text.

import { QUOTED_IN_026 } from './formats';
import { probeReadHelper } from '../codegen/probe-read';
import { none, type StringType } from '../../common/types';
import type { FunctionDef, ValueFormat } from './types';
import { byteArrayLength } from '../semantic/blob-layout';

const MAC_BYTES = 6;
export const macType: StringType = { kind: 'string', size: MAC_BYTES, format: 'mac' };

export const macaddr: FunctionDef = {
  examples: [{ script: 'struct m { unsigned char a[6]; } BEGIN { printf("%s\\n", macaddr(((struct m *)kaddr("vfs_read"))->a)); exit(); }', output: /^([0-9A-F]{2}:){5}[0-9A-F]{2}\n\n\n$/, sameAs017: true }],
  name: 'macaddr',
  check(ctx, call) {
    if (call.args.length !== 1) {
      ctx.error('macaddr() takes one argument: a 6-byte array or its address', call);
      return none;
    }
    const [arg] = call.args;
    const t = ctx.typeOf(arg);
    if (t.kind === 'none') return none;
    if (arg.kind === 'StrLit') {
      ctx.error('macaddr() does not support literal string arguments', arg, 'pass a 6-byte array (a char[6] field) or its address');
      return none;
    }
    // Byte arrays are strings whose capacity counts a terminator the array does not have.
    if (t.kind === 'string' && (byteArrayLength(t) ?? (t.format ? 0 : t.size - 1)) !== MAC_BYTES) {
      ctx.error('macaddr() argument must be 6 bytes in size', arg);
      return none;
    }
    if (t.kind !== 'int' && t.kind !== 'string') {
      ctx.error(`macaddr() only supports array or pointer arguments (${t.kind} provided)`, arg);
      return none;
    }
    return macType;
  },
  emit(ctx, call) {
    const { b, c } = ctx;
    const buf = ctx.zeroed(MAC_BYTES, 'macaddr');
    const v = ctx.emit(call.args[0]);
    if (v.type.kind === 'string') b.memcpy(buf, v.v, MAC_BYTES);
    else {
      const space = v.type.kind === 'int' ? v.type.space : undefined;
      const i32 = c.int(32);
      b.helper(probeReadHelper(space), ctx.i64, [ctx.i8p, i32, ctx.i8p], [buf, c.constInt(i32, MAC_BYTES), b.intToPtr(v.v, ctx.i8p)]);
    }
    return { type: macType, v: buf };
  },
};

/** macaddr()'s six bytes as bpftrace prints them: upper-case hex pairs joined by ':'. */
export function formatMac(view: DataView, off: number): string {
  return Array.from({ length: 6 }, (_, i) => view.getUint8(off + i).toString(16).toUpperCase().padStart(2, '0')).join(':');
}

/** bpftrace 0.17 writes the address unquoted in JSON. */
export const macFormat: ValueFormat = {
  name: 'mac',
  examples: [{ script: 'struct m { unsigned char a[6]; } BEGIN { @ = macaddr(((struct m *)kaddr("vfs_read"))->a); exit(); }', output: /^\n\n@: ([0-9A-F]{2}:){5}[0-9A-F]{2}\n$/, sameAs017: true }],
  decode: (view, off) => formatMac(view, off),
  json: (v) => String(v),
  jsonIn: QUOTED_IN_026,
  printf: 'string',
};
