import { u64 } from '../types';
import type { BuiltinDef } from './types';
import { BpfHelper } from '../kernel/bpf-helpers';

export const nsecs: BuiltinDef = {
  name: 'nsecs',
  check: () => u64,
  emit: (ctx) => ({ type: u64, v: ctx.b.helper(BpfHelper.KTIME_GET_NS, ctx.i64, [], [], 'nsecs') }),
};
