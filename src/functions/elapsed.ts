// elapsed: nanoseconds since the session loaded the program, on the clock nsecs reads.

import { Opcode } from '../codegen/llvm';
import { u64 } from '../../common/types';
import type { BuiltinDef } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

export const elapsed: BuiltinDef = {
  examples: [{ script: 'BEGIN { printf("%d\\n", elapsed < 60000000000); exit(); }', output: '1\n\n\n', sameAs017: true }],
  name: 'elapsed',
  check: () => u64,
  emit(ctx) {
    const now = ctx.b.helper(BpfHelper.KTIME_GET_NS, ctx.i64, [], [], 'now');
    return { type: u64, v: ctx.b.binop(Opcode.Sub, now, ctx.config('start_ns')) };
  },
};
