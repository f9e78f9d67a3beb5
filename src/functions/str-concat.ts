// str_concat(a, b) (bpftrace master, after 0.26.1): a new string, a's characters then b's, as long
// as both capacities allow (a's capacity + b's − 1, NUL included). Copied in the probe by two
// loops bounded by the capacities; the rest of the result is zero, so equal results are equal
// map keys.

import { IntPredicate, Opcode, type Val } from '../codegen/llvm';
import { none, stringType, type Type } from '../../common/types';
import type { EmitContext, FunctionDef } from './types';

const capacity = (t: Type): number => (t.kind === 'string' ? t.size : 0);

/** Copies src[0..] up to its NUL (at most `n` bytes) to dst[at..]; returns the new `at`. */
function copyLoop(ctx: EmitContext, dst: Val, at: Val, src: Val, n: number, limit: number, name: string): Val {
  const { b, c, i64 } = ctx;
  const i8 = c.int(8);
  const slot = b.bitcast(ctx.zeroed(8, `${name}_i`, true), c.ptr(i64));
  const head = b.appendBlock(ctx.fn, `${name}_head`);
  const body = b.appendBlock(ctx.fn, `${name}_body`);
  const store = b.appendBlock(ctx.fn, `${name}_store`);
  const done = b.appendBlock(ctx.fn, `${name}_done`);
  b.store(ctx.constInt(0), slot);
  b.br(head);
  b.positionAtEnd(head);
  b.condBr(b.icmp(IntPredicate.ULT, b.load(i64, slot), ctx.constInt(n)), body, done);
  b.positionAtEnd(body);
  const i = b.load(i64, slot);
  const ch = b.load(i8, b.gep(i8, src, [i]));
  const pos = b.binop(Opcode.Add, at, i);
  // The bound on pos is for the verifier: it cannot know that `at` plus `i` stays inside.
  const fits = b.icmp(IntPredicate.ULT, pos, ctx.constInt(limit));
  const go = b.binop(Opcode.And, b.icmp(IntPredicate.NE, ch, c.constInt(i8, 0)), fits);
  b.condBr(go, store, done);
  b.positionAtEnd(store);
  b.store(ch, b.gep(i8, dst, [pos]));
  b.store(b.binop(Opcode.Add, i, ctx.constInt(1)), slot);
  b.br(head);
  b.positionAtEnd(done);
  return b.binop(Opcode.Add, at, b.load(i64, slot));
}

export const strConcat: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%s\\n", str_concat("ab", "cd")); exit(); }', output: 'abcd\n\n\n' }],
  name: 'str_concat',
  check(ctx, call) {
    if (call.args.length !== 2) {
      ctx.error('str_concat() takes two strings: str_concat(a, b)', call);
      return none;
    }
    const [a, b] = call.args.map((s) => ctx.typeOf(s));
    for (const [i, t] of [a, b].entries()) {
      if (t.kind !== 'string' && t.kind !== 'none') ctx.error(`str_concat() takes strings, got ${t.kind === 'int' ? 'an integer' : t.kind}`, call.args[i], 'read memory as a string first: str(ptr)');
    }
    if (a.kind !== 'string' || b.kind !== 'string') return none;
    return stringType(capacity(a) + capacity(b) - 1);
  },
  emit(ctx, call) {
    const a = ctx.emit(call.args[0]);
    const b = ctx.emit(call.args[1]);
    const t = ctx.typeOf(call);
    const size = capacity(t);
    const out = ctx.scratch(size, 'str_concat');
    ctx.b.memset(out, 0, size);
    const mid = copyLoop(ctx, out, ctx.constInt(0), a.v, capacity(a.type), size - 1, 'concat_a');
    copyLoop(ctx, out, mid, b.v, capacity(b.type), size - 1, 'concat_b');
    return { type: t, v: out };
  },
};
