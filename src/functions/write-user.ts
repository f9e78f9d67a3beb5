// write_user(dst, src, len) (bpftrace 0.26+): **--unsafe only.** Writes `len` bytes of a value
// in the program (a string, a struct or array copy) to the user address `dst` of the current task
// (bpf_probe_write_user); 1 on success, 0 on failure (a read-only page, a bad address). `len` is
// at most the value's capacity; a computed `len` is clamped to it so the verifier sees a bound.

import { IntPredicate } from '../codegen/llvm';
import { BpfHelper } from '../../common/kernel/bpf-helpers';
import { none } from '../../common/types';
import { truth } from './map-key-arg';
import type { FunctionDef } from './types';
import { allowedUnsafe } from './unsafe';

export const writeUser: FunctionDef = {
  name: 'write_user',
  check(ctx, call) {
    if (!allowedUnsafe(ctx, call, true)) return none;
    const [dst, src, len, extra] = call.args;
    if (!dst || !src || !len || extra) {
      ctx.error('write_user() takes an address, a value and a length: write_user(dst, src, len)', call);
      return none;
    }
    const d = ctx.typeOf(dst);
    if (d.kind !== 'int' && d.kind !== 'none') ctx.error(`write_user()'s destination must be an address, got ${d.kind}`, dst);
    const s = ctx.typeOf(src);
    if (s.kind !== 'string' && s.kind !== 'none') ctx.error(`write_user() writes a string, struct or array value, got ${s.kind === 'int' ? 'an integer' : s.kind}`, src);
    const n = ctx.typeOf(len);
    if (n.kind !== 'int' && n.kind !== 'none') ctx.error(`write_user()'s length must be an integer, got ${n.kind}`, len);
    if (s.kind === 'string' && len.kind === 'IntLit' && (len.value < 1n || len.value > BigInt(s.size))) {
      ctx.error(`write_user() can write 1 to ${s.size} bytes of this value, ${len.value} asked`, len);
    }
    return truth(ctx);
  },
  emit(ctx, call) {
    const { b, c, i64 } = ctx;
    const [dst, src, len] = call.args;
    const to = ctx.emit(dst).v;
    const from = ctx.emit(src);
    const cap = from.type.kind === 'string' ? from.type.size : 0;
    const asked = ctx.emit(len).v;
    const n = b.select(b.icmp(IntPredicate.ULE, asked, ctx.constInt(cap)), asked, ctx.constInt(cap));
    const r = b.helper(BpfHelper.PROBE_WRITE_USER, i64, [ctx.i8p, ctx.i8p, c.int(32)], [b.intToPtr(to, ctx.i8p), from.v, b.intCast(n, c.int(32), false)], 'written');
    return { type: truth(ctx), v: b.intCast(b.icmp(IntPredicate.EQ, r, ctx.constInt(0)), i64, false) };
  },
};
