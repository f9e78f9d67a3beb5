// ppid, pcomm, leader_tid, leader_comm (bpftrace 0.24–0.26 standard library): the parent's and
// the thread-group leader's pid and name, read from the current task_struct (or the task passed
// in, `ppid(task)`) through BTF, as bpftrace's script library reads `task.real_parent.pid`.
// ppid came in 0.24 (a bare `ppid` in 0.25), pcomm in 0.25 (the parent's name since 0.26),
// leader_tid and leader_comm in 0.26.

import type { Builtin, Call, Expr } from '../ast';
import { at, builtinFor, functionFor } from './desugar';
import type { BuiltinDef, FunctionDef } from './types';

type Relative = { name: string; link: 'real_parent' | 'group_leader'; field: 'pid' | 'comm' };

const RELATIVES: Relative[] = [
  { name: 'ppid', link: 'real_parent', field: 'pid' },
  { name: 'pcomm', link: 'real_parent', field: 'comm' },
  { name: 'leader_tid', link: 'group_leader', field: 'pid' },
  { name: 'leader_comm', link: 'group_leader', field: 'comm' },
];

/** `task->link->field`, the task being curtask or the one argument, read as a task_struct pointer. */
function read(r: Relative, node: Builtin | Call): Expr {
  const n = at(node.span);
  const arg = node.kind === 'Call' ? node.args[0] : undefined;
  const task = arg ? n.cast('struct task_struct', arg, 1) : n.builtin('curtask');
  return n.arrow(n.arrow(task, r.link), r.field);
}

const byName = (name: string): Relative => RELATIVES.find((r) => r.name === name)!;

export const relativeBuiltin = (name: string): BuiltinDef => builtinFor(name, (node) => read(byName(name), node));

export const relativeFunction = (name: string): FunctionDef =>
  functionFor(name, [0, 1], `${name}() of the current task, or ${name}(task) of a struct task_struct *`, (call) => read(byName(name), call));
