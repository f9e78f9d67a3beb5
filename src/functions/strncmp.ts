// strncmp(a, b, n): 0 when the strings agree in their first n characters (or up to a common
// terminator), 1 otherwise, as bpftrace returns it. n must be a literal: the comparison is unrolled.

import { none, u64 } from '../../common/types';
import { emitStringsEqual } from './string-compare';
import type { FunctionDef } from './types';

export const strncmp: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%d %d\\n", strncmp("abc", "abd", 2), strncmp("abc", "abd", 3)); exit(); }', output: '0 1\n\n\n', sameAs017: true }],
  name: 'strncmp',
  check(ctx, call) {
    if (call.args.length !== 3) {
      ctx.error('strncmp() takes two strings and a length: strncmp(a, b, n)', call);
      return none;
    }
    const [a, b, n] = call.args;
    for (const s of [a, b]) {
      const t = ctx.typeOf(s);
      if (t.kind !== 'string' && t.kind !== 'none') ctx.error(`strncmp() compares strings, got ${t.kind}`, s);
    }
    if (n.kind !== 'IntLit' || n.value < 0n) ctx.error('the length of strncmp() must be a non-negative integer literal', n);
    return u64;
  },
  emit(ctx, call) {
    const [a, b, n] = call.args;
    const x = ctx.emit(a);
    const y = ctx.emit(b);
    const sizes = [x.type, y.type].map((t) => (t.kind === 'string' ? t.size : 0));
    const len = Math.min(Number((n as { value: bigint }).value), ...sizes);
    const eq = emitStringsEqual(ctx, x.v, y.v, len);
    return { type: u64, v: ctx.b.intCast(ctx.b.not(eq), ctx.i64, false) };
  },
};
