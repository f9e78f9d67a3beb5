// avg(x) and stats(x): per CPU a count and a total; user space adds them up and divides.

import { Opcode } from '../codegen/llvm';
import { integerArgument } from './agg-args';
import type { AggregateDef } from './types';

function averaging(name: 'avg' | 'stats'): AggregateDef {
  return {
    name,
    check: (ctx, call) => (integerArgument(ctx, call), { kind: 'agg', agg: name, signed: true }),
    valueSize: () => 16,
    emitUpdate(ctx, call, _t, slot) {
      const { b, c, i64 } = ctx;
      const x = ctx.emit(call.args[0]).v;
      const cp = b.bitcast(slot, c.ptr(i64));
      const tp = b.byteOffset(slot, 8, i64);
      b.store(b.binop(Opcode.Add, b.load(i64, cp), ctx.constInt(1)), cp);
      b.store(b.binop(Opcode.Add, b.load(i64, tp), x), tp);
    },
    combine(t, perCpu) {
      let count = 0n;
      let total = 0n;
      for (const v of perCpu) {
        count += v.getBigUint64(0, true);
        total += t.signed ? v.getBigInt64(8, true) : v.getBigUint64(8, true);
      }
      return { count, total };
    },
  };
}

export const avg = averaging('avg');
export const stats = averaging('stats');
