// Reading an aggregation in a probe: `$x = @c`, `@y = @s`, `@c > 5`, `printf("%d", @m[k])`.
//
// The value is the same number that printing the map shows: every CPU's slot, fetched with
// bpf_map_lookup_percpu_elem (Linux 5.19) and folded by the aggregation's own rule (added for
// count and sum, the best for min and max, total / count for avg), as newer bpftrace reads
// count, sum, min, max and avg maps. bpftrace 0.17 copies only the current CPU's slot, which is the
// same number while the map has been updated on one CPU (BEGIN, a pinned workload), and its avg()
// copy is an artifact of its storage (it prints the count, or 0). A key never written reads 0.

import type { CgValue, EmitContext } from '../functions';
import { possibleCpuCount } from '../../common/kernel/cpus';
import type { MapInfo } from '../semantic/checked-program';
import type { AggType } from '../../common/types';
import { IntPredicate, Opcode, type Val } from './llvm';
import { ifNotNull } from './maps';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

export function readAggregate(ctx: EmitContext, info: MapInfo, global: Val, key: Val): CgValue {
  const t = info.valueType as AggType;
  const fold = info.aggregate!.read!;
  const { b, c, i64, i8p } = ctx;
  const fn = b.currentFunction;
  // On the stack: the verifier follows the counter there (in scratch memory it could not bound the loop).
  const acc = ctx.zeroed(24, 'aggread', true);
  const sum = b.bitcast(acc, c.ptr(i64));
  const aux = b.byteOffset(acc, 8, i64);
  const cpu = b.byteOffset(acc, 16, i64);
  // The slots are zeroed once per program: a read inside a loop starts afresh.
  for (const p of [sum, aux, cpu]) b.store(ctx.constInt(0), p);

  const cond = b.appendBlock(fn, 'aggread_cond');
  const body = b.appendBlock(fn, 'aggread_cpu');
  const done = b.appendBlock(fn, 'aggread_done');
  b.br(cond);
  b.positionAtEnd(cond);
  const i = b.load(i64, cpu);
  b.condBr(b.icmp(IntPredicate.ULT, i, ctx.constInt(possibleCpuCount())), body, done);
  b.positionAtEnd(body);
  const slot = b.helper(BpfHelper.MAP_LOOKUP_PERCPU_ELEM, i8p, [i8p, i8p, i64], [b.bitcast(global, i8p), key, i], 'cpu_value');
  // NULL: no such key (then on no CPU), or past the last CPU this machine has.
  ifNotNull(ctx, slot, (p) => fold.step(ctx, t, [sum, aux], p), () => b.store(ctx.constInt(possibleCpuCount()), cpu));
  b.store(b.binop(Opcode.Add, b.load(i64, cpu), ctx.constInt(1)), cpu);
  b.br(cond);
  b.positionAtEnd(done);
  return { type: fold.type(t), v: fold.finish(ctx, t, [sum, aux]) };
}
