// avg(x) and stats(x): per CPU a count and a total; user space adds them up and divides.

import { IntPredicate, Opcode } from '../codegen/llvm';
import { integerArgument } from './agg-args';
import type { AggregateDef, AggregateMetrics, AggregateRead, AggregateValue, AvgValue } from './types';
import { divide } from '../../common/format/ints';
import { s64 } from '../../common/types';

/** The integer average, truncated toward zero; 0 when nothing was counted. */
export function average(a: AvgValue): bigint {
  // bpftrace 0.17 keeps avg/stats totals as int64 whatever the argument's signedness.
  const total = BigInt.asIntN(64, a.total);
  const count = BigInt.asUintN(64, a.count);
  return count === 0n ? 0n : total / count;
}

const stats3 = (a: AvgValue, sep: string, q: string): string =>
  `${q}count${q}${sep}${BigInt.asUintN(64, a.count)}, ${q}average${q}${sep}${average(a)}, ${q}total${q}${sep}${BigInt.asIntN(64, a.total)}`;

/**
 * --metrics: stats() as one gauge per field. Prometheus reserves the suffixes _count, _sum and
 * _total for counters, histograms and summaries (promtool refuses them on gauges), hence the names.
 */
const statsMetrics: AggregateMetrics = {
  type: 'gauge',
  fields: [
    { suffix: '_samples', help: 'stats() count', value: (v) => Number(BigInt.asUintN(64, (v as AvgValue).count)) },
    { suffix: '_average', help: 'stats() average', value: (v) => Number(average(v as AvgValue)) },
    { suffix: '_summed', help: 'stats() total', value: (v) => Number(BigInt.asIntN(64, (v as AvgValue).total)) },
  ],
};

function averaging(name: 'avg' | 'stats'): AggregateDef {
  const all = name === 'stats';
  return {
    name,
    // Sorted by the average; a blank line after the entries; "stats" in JSON. stats() prints its
    // three numbers and ignores print()'s top and div (bpftrace warns at compile time).
    text: (v, _t, div) => (all ? stats3(v as AvgValue, ' ', '') : divide(average(v as AvgValue), div).toString()),
    json: (v, _t, div) => (all ? `{${stats3(v as AvgValue, ': ', '"')}}` : divide(average(v as AvgValue), div).toString()),
    // bpftrace 0.26 prints stats() as a record.
    ...(all ? { textIn: { '0.26': (v: AggregateValue) => `{ ${stats3(v as AvgValue, ' = ', '').replace(/(^|, )/g, '$1.')} }` } } : {}),
    sortKey: (v) => average(v as AvgValue),
    jsonKind: 'stats',
    layout: 'averaged',
    printsWhenZero: false,
    ignoresTopDiv: all,
    tiesByKeyBytes: all,
    metrics: all ? statsMetrics : { type: 'gauge', fields: [{ suffix: '', help: 'avg()', value: (v) => Number(average(v as AvgValue)) }] },
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
    // stats() is three numbers; avg() reads as its integer average over every CPU.
    ...(name === 'avg'
      ? {
          read: {
            type: () => s64,
            step(ctx, _t, [count, total], slot) {
              const { b, c, i64 } = ctx;
              b.store(b.binop(Opcode.Add, b.load(i64, count), b.load(i64, b.bitcast(slot, c.ptr(i64)))), count);
              b.store(b.binop(Opcode.Add, b.load(i64, total), b.load(i64, b.byteOffset(slot, 8, i64))), total);
            },
            finish(ctx, _t, [count, total]) {
              const { b, i64 } = ctx;
              const n = b.load(i64, count);
              const none = b.icmp(IntPredicate.EQ, n, ctx.constInt(0));
              // As user space divides: truncating toward zero. BPF before v4 has no signed division,
              // so divide the magnitude; division by zero is undefined in LLVM, so divide by 1 then.
              const sum = b.load(i64, total);
              const neg = b.icmp(IntPredicate.SLT, sum, ctx.constInt(0));
              const q = b.binop(Opcode.UDiv, b.select(neg, b.neg(sum), sum), b.select(none, ctx.constInt(1), n));
              return b.select(none, ctx.constInt(0), b.select(neg, b.neg(q), q));
            },
          } satisfies AggregateRead,
        }
      : {}),
  };
}

export const avg: AggregateDef = { ...averaging('avg'), examples: [{ script: 'BEGIN { @ = avg(3); @ = avg(6); exit(); }', output: '\n\n@: 4\n\n', sameAs017: true }] };
export const stats: AggregateDef = {
  ...averaging('stats'),
  examples: [
    { script: 'BEGIN { @ = stats(2); @ = stats(4); exit(); }', output: '\n\n@: count 2, average 3, total 6\n\n', sameAs017: true },
    { script: 'BEGIN { @ = stats(2); @ = stats(4); exit(); }', args: ['--compat', '0.26'], output: '\n\n@: { .count = 2, .average = 3, .total = 6 }\n' },
  ],
};
