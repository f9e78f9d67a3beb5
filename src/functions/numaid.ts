// numaid: the NUMA node of the CPU the probe runs on (bpf_get_numa_node_id), a u64 as in bpftrace.

import { u64 } from '../../common/types';
import type { BuiltinDef } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

export const numaid: BuiltinDef = {
  examples: [{ script: 'BEGIN { printf("%d\\n", numaid < 1024); exit(); }', output: '1\n\n\n', sameAs017: true }],
  name: 'numaid',
  check: () => u64,
  emit(ctx) {
    return { type: u64, v: ctx.b.helper(BpfHelper.GET_NUMA_NODE_ID, ctx.i64, [], [], 'numaid') };
  },
};
