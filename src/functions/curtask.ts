// curtask: the address of the current task_struct, a kernel pointer (an integer until BTF
// struct types arrive).

import { u64, type IntType } from '../types';
import type { BuiltinDef } from './types';

const GET_CURRENT_TASK = 35;
const taskPtr: IntType = { ...u64, space: 'kernel' };

export const curtask: BuiltinDef = {
  name: 'curtask',
  check: () => taskPtr,
  emit: (ctx) => ({ type: taskPtr, v: ctx.b.helper(GET_CURRENT_TASK, ctx.i64, [], [], 'curtask') }),
};
