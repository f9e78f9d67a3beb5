// comm: the current task's name, 16 bytes, NUL-padded (TASK_COMM_LEN).

import { stringType } from '../../common/types';
import type { BuiltinDef } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

const TASK_COMM_LEN = 16;

export const comm: BuiltinDef = {
  examples: [{ script: 'BEGIN { printf("%s\\n", comm); exit(); }', output: /^\S+\n\n\n$/ }],
  name: 'comm',
  check: () => stringType(TASK_COMM_LEN),
  emit(ctx) {
    const buf = ctx.zeroed(TASK_COMM_LEN, 'comm');
    ctx.b.helper(BpfHelper.GET_CURRENT_COMM, ctx.i64, [ctx.i8p, ctx.c.int(32)], [buf, ctx.c.constInt(ctx.c.int(32), TASK_COMM_LEN)]);
    return { type: stringType(TASK_COMM_LEN), v: buf };
  },
};
