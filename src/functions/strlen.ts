// strlen(s) (bpftrace 0.25+ standard library): the characters of a string before its first NUL,
// at most its capacity, counted in the probe by a loop bounded by that capacity. A pointer is read
// as str(p) first, as bpftrace reads at most its default string length from it.

import { IntPredicate, Opcode } from '../codegen/llvm';
import { none, u64 } from '../../common/types';
import { expansion } from './desugar';
import type { FunctionDef } from './types';

export const strlen: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%d\\n", strlen("abc")); exit(); }', output: '3\n\n\n' }],
  name: 'strlen',
  check(ctx, call) {
    const [s, extra] = call.args;
    if (!s || extra) {
      ctx.error('strlen() takes one string: strlen(s)', call);
      return none;
    }
    const t = ctx.typeOf(s);
    if (t.kind === 'int' && (t.elem || t.space || t.pointee !== undefined)) {
      ctx.typeOf(expansion(call, () => ({ kind: 'Call', name: 'str', nameSpan: call.span, args: [s], span: call.span })));
      return u64;
    }
    if (t.kind !== 'string' && t.kind !== 'none') {
      ctx.error(`strlen() takes a string or a pointer to one, got ${t.kind}`, s, 'string-like values are strings, char arrays and char pointers');
      return none;
    }
    return u64;
  },
  emit(ctx, call) {
    const { b, c, i64 } = ctx;
    const [arg] = call.args;
    const s = ctx.emit(ctx.typeOf(arg).kind === 'string' ? arg : expansion(call, () => { throw new Error('internal: strlen of a pointer not checked'); }));
    const size = s.type.kind === 'string' ? s.type.size : 0;
    const i8 = c.int(8);
    const slot = b.bitcast(ctx.zeroed(8, 'strlen_i', true), c.ptr(i64));
    const head = b.appendBlock(ctx.fn, 'strlen_head');
    const body = b.appendBlock(ctx.fn, 'strlen_body');
    const next = b.appendBlock(ctx.fn, 'strlen_next');
    const done = b.appendBlock(ctx.fn, 'strlen_done');
    b.store(ctx.constInt(0), slot);
    b.br(head);
    b.positionAtEnd(head);
    const i = b.load(i64, slot);
    b.condBr(b.icmp(IntPredicate.ULT, i, ctx.constInt(size)), body, done);
    b.positionAtEnd(body);
    const ch = b.load(i8, b.gep(i8, s.v, [b.load(i64, slot)]));
    b.condBr(b.icmp(IntPredicate.EQ, ch, c.constInt(i8, 0)), done, next);
    b.positionAtEnd(next);
    b.store(b.binop(Opcode.Add, b.load(i64, slot), ctx.constInt(1)), slot);
    b.br(head);
    b.positionAtEnd(done);
    return { type: u64, v: b.load(i64, slot) };
  },
};
