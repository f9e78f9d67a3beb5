import { u32 } from '../../common/types';
import type { BuiltinDef } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

export const cpu: BuiltinDef = {
  examples: [{ script: 'BEGIN { printf("%d\\n", cpu < ncpus); exit(); }', output: '1\n\n\n' }],
  name: 'cpu',
  check: () => u32,
  emit(ctx) {
    const id = ctx.b.helper(BpfHelper.GET_SMP_PROCESSOR_ID, ctx.c.int(32), [], [], 'cpu');
    return { type: u32, v: ctx.b.intCast(id, ctx.i64, false) };
  },
};
