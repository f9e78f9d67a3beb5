// memcmp(left, right, n) (bpftrace 0.25+ standard library): compares the first n bytes of two
// string-like values (strings, struct or array copies) as C's memcmp does: 0 when equal, else the
// difference of the first differing bytes (unsigned). Compared in the probe by a loop bounded by
// the smaller capacity; n may be computed at run time.

import { IntPredicate, Opcode, type Block, type Val } from '../codegen/llvm';
import { none, s64 } from '../../common/types';
import type { FunctionDef } from './types';

export const memcmp: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%d\\n", memcmp("abc", "abd", 3) < 0); exit(); }', output: '1\n\n\n' }],
  name: 'memcmp',
  check(ctx, call) {
    if (call.args.length !== 3) {
      ctx.error('memcmp() takes two values and a byte count: memcmp(left, right, n)', call);
      return none;
    }
    const [l, r, n] = call.args.map((a) => ctx.typeOf(a));
    for (const [i, t] of [l, r].entries()) {
      if (t.kind !== 'string' && t.kind !== 'none') ctx.error(`memcmp() compares strings, arrays and structs, got ${t.kind === 'int' ? 'an integer' : t.kind}`, call.args[i]);
    }
    if (n.kind !== 'int' && n.kind !== 'none') ctx.error(`memcmp()'s byte count must be an integer, got ${n.kind}`, call.args[2]);
    return s64;
  },
  emit(ctx, call) {
    const { b, c, i64 } = ctx;
    const i8 = c.int(8);
    const [l, r] = call.args.slice(0, 2).map((a) => ctx.emit(a));
    const n = ctx.emit(call.args[2]).v;
    const cap = Math.min(l.type.kind === 'string' ? l.type.size : 0, r.type.kind === 'string' ? r.type.size : 0);
    const slot = b.bitcast(ctx.zeroed(8, 'memcmp_i', true), c.ptr(i64));
    const head = b.appendBlock(ctx.fn, 'memcmp_head');
    const body = b.appendBlock(ctx.fn, 'memcmp_body');
    const next = b.appendBlock(ctx.fn, 'memcmp_next');
    const done = b.appendBlock(ctx.fn, 'memcmp_done');
    const incoming: [Val, Block][] = [];
    b.store(ctx.constInt(0), slot);
    b.br(head);
    b.positionAtEnd(head);
    const i = b.load(i64, slot);
    const more = b.binop(Opcode.And, b.icmp(IntPredicate.ULT, i, ctx.constInt(cap)), b.icmp(IntPredicate.ULT, i, n));
    incoming.push([ctx.constInt(0), b.insertBlock]);
    b.condBr(more, body, done);
    b.positionAtEnd(body);
    const at = b.load(i64, slot);
    const x = b.intCast(b.load(i8, b.gep(i8, l.v, [at])), i64, false);
    const y = b.intCast(b.load(i8, b.gep(i8, r.v, [at])), i64, false);
    incoming.push([b.binop(Opcode.Sub, x, y), b.insertBlock]);
    b.condBr(b.icmp(IntPredicate.NE, x, y), done, next);
    b.positionAtEnd(next);
    b.store(b.binop(Opcode.Add, at, ctx.constInt(1)), slot);
    b.br(head);
    b.positionAtEnd(done);
    return { type: s64, v: b.phi(i64, incoming) };
  },
};
