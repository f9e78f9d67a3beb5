// bswap(x): x with its bytes reversed, at x's own width (a u16 port from a __be16 field, a u32
// address): bpftrace's tools use it to turn network byte order into host order. Built from shifts
// and masks on the 64-bit value, so it needs no intrinsic.

import { Opcode } from '../codegen/llvm';
import { none, type IntType } from '../../common/types';
import type { FunctionDef } from './types';

export const bswap: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%x\\n", bswap((uint32)0x12345678)); exit(); }', output: '78563412\n\n\n' }],
  name: 'bswap',
  check(ctx, call) {
    if (call.args.length !== 1) {
      ctx.error('bswap() takes one integer', call);
      return none;
    }
    const t = ctx.typeOf(call.args[0]);
    if (t.kind !== 'int') {
      if (t.kind !== 'none') ctx.error(`bswap() expects an integer, got ${t.kind}`, call.args[0]);
      return none;
    }
    return { kind: 'int', bits: t.bits, signed: false } satisfies IntType;
  },
  emit(ctx, call) {
    const { b } = ctx;
    const t = ctx.typeOf(call) as IntType;
    const x = ctx.emit(call.args[0]).v;
    const n = t.bits / 8;
    let out = ctx.constInt(0);
    for (let i = 0; i < n; i++) {
      const byte = b.binop(Opcode.And, i ? b.binop(Opcode.LShr, x, ctx.constInt(8 * i)) : x, ctx.constInt(0xff));
      const shift = 8 * (n - 1 - i);
      out = b.binop(Opcode.Or, out, shift ? b.binop(Opcode.Shl, byte, ctx.constInt(shift)) : byte);
    }
    return { type: t, v: out };
  },
};
