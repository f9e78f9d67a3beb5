// rand: a pseudo-random u32 from the kernel's per-CPU generator.

import { u32 } from '../../common/types';
import type { BuiltinDef } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

export const rand: BuiltinDef = {
  examples: [{ script: 'BEGIN { @[rand % 1] = 1; exit(); }', output: '\n\n@[0]: 1\n', sameAs017: true }],
  name: 'rand',
  check: () => u32,
  emit: (ctx) => ({ type: u32, v: ctx.b.intCast(ctx.b.helper(BpfHelper.GET_PRANDOM_U32, ctx.c.int(32), [], [], 'rand'), ctx.i64, false) }),
};
