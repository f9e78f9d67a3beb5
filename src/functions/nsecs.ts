// nsecs: a kernel timestamp in ns (bpf_ktime_get_ns, CLOCK_MONOTONIC). nsecs(clock) (bpftrace
// 0.19+ for monotonic, later for the others) names the clock: monotonic, boot (CLOCK_BOOTTIME,
// suspended time included), tai (CLOCK_TAI, kernel 6.1+).

import type { Call } from '../ast';
import { none, u64 } from '../../common/types';
import type { BuiltinDef, FunctionDef } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

export const nsecs: BuiltinDef = {
  examples: [{ script: 'BEGIN { printf("%d\\n", nsecs > 0); exit(); }', output: '1\n\n\n', sameAs017: true }],
  name: 'nsecs',
  check: () => u64,
  emit: (ctx) => ({ type: u64, v: ctx.b.helper(BpfHelper.KTIME_GET_NS, ctx.i64, [], [], 'nsecs') }),
};

const CLOCKS: Record<string, BpfHelper> = {
  monotonic: BpfHelper.KTIME_GET_NS,
  boot: BpfHelper.KTIME_GET_BOOT_NS,
  tai: BpfHelper.KTIME_GET_TAI_NS,
};

const clockOf = (call: Call): string | undefined => {
  const [a] = call.args;
  return a?.kind === 'Builtin' ? a.name : undefined;
};

export const nsecsOf: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%d\\n", nsecs(boot) > 0 && nsecs(monotonic) > 0); exit(); }', output: '1\n\n\n' }],
  name: 'nsecs',
  check(ctx, call) {
    if (call.args.length === 0) return u64;
    const clock = clockOf(call);
    if (call.args.length > 1 || clock === undefined || (!Object.hasOwn(CLOCKS, clock) && clock !== 'sw_tai')) {
      ctx.error('nsecs() takes a clock: nsecs(monotonic), nsecs(boot) or nsecs(tai)', call.args[call.args.length > 1 ? 1 : 0] ?? call);
      return none;
    }
    if (clock === 'sw_tai') {
      ctx.error('nsecs(sw_tai) is not supported yet', call.args[0], 'nsecs(tai) reads CLOCK_TAI itself on kernels from 6.1');
      return none;
    }
    return u64;
  },
  emit(ctx, call) {
    const helper = call.args.length ? CLOCKS[clockOf(call)!] : BpfHelper.KTIME_GET_NS;
    return { type: u64, v: ctx.b.helper(helper, ctx.i64, [], [], 'nsecs') };
  },
};
