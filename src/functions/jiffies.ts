// jiffies (bpftrace 0.20+): the kernel's 64-bit jiffies counter (bpf_jiffies64).

import { u64 } from '../../common/types';
import type { BuiltinDef } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

export const jiffies: BuiltinDef = {
  examples: [{ script: 'BEGIN { printf("%d\\n", jiffies > 0); exit(); }', output: '1\n\n\n' }],
  name: 'jiffies',
  check: () => u64,
  emit: (ctx) => ({ type: u64, v: ctx.b.helper(BpfHelper.JIFFIES64, ctx.i64, [], [], 'jiffies') }),
};
