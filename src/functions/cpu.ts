import { u32 } from '../types';
import type { BuiltinDef } from './types';

const GET_SMP_PROCESSOR_ID = 8;

export const cpu: BuiltinDef = {
  name: 'cpu',
  check: () => u32,
  emit(ctx) {
    const id = ctx.b.helper(GET_SMP_PROCESSOR_ID, ctx.c.int(32), [], [], 'cpu');
    return { type: u32, v: ctx.b.intCast(id, ctx.i64, false) };
  },
};
