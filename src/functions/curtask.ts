// curtask: the address of the current task_struct, a kernel pointer typed from BTF so that
// `curtask->real_parent->pid` works (a plain integer address when the kernel has no BTF).

import { kernelBtf, pointerTo } from '../semantic/kernel-types';
import { u64, type IntType } from '../../common/types';
import type { BuiltinDef } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

function taskPtr(): IntType {
  const btf = kernelBtf();
  const task = btf?.findStruct('task_struct');
  return btf && task ? pointerTo(btf, task.id, 'kernel', 'struct task_struct *') : { ...u64, space: 'kernel' };
}

export const curtask: BuiltinDef = {
  examples: [{ script: 'BEGIN { printf("%d\\n", curtask->tgid == pid); exit(); }', output: '1\n\n\n', sameAs017: true }],
  name: 'curtask',
  check: () => taskPtr(),
  emit: (ctx, node) => ({ type: ctx.typeOf(node), v: ctx.b.helper(BpfHelper.GET_CURRENT_TASK, ctx.i64, [], [], 'curtask') }),
};
