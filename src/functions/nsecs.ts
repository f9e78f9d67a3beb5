import { u64 } from '../types';
import type { BuiltinDef } from './types';

const KTIME_GET_NS = 5;

export const nsecs: BuiltinDef = {
  name: 'nsecs',
  check: () => u64,
  emit: (ctx) => ({ type: u64, v: ctx.b.helper(KTIME_GET_NS, ctx.i64, [], [], 'nsecs') }),
};
