// The text of stdlib/base.bt: the helpers bpftrace 0.26 writes in its own language, written here
// in bpfscript (our own text). Line and column matter: bpftrace's messages name them (assert's
// "stdlib/base.bt:6:5-37: ERROR: assert failed: …"), so keep assert's errorf where it is.

export const BASE_BT = String.raw`// bpfscript's standard library: every script can call these; a script's own macro with the same
// name and parameters takes the place of one of them.
macro assert(cond, msg)
{
  if (!cond) {
    errorf("assert failed: %s", msg);
    exit(1);
  }
}

// The parent's PID (task->real_parent->pid) of the given task, or of the current one.
macro ppid(task)
{
  ((struct task_struct *)task)->real_parent->pid
}

macro ppid()
{
  ppid(curtask)
}

// The thread id of the task's thread group leader (task->group_leader->pid).
macro leader_tid(task)
{
  ((struct task_struct *)task)->group_leader->pid
}

macro leader_tid()
{
  leader_tid(curtask)
}

// The name of the task's parent process.
macro pcomm(task)
{
  ((struct task_struct *)task)->real_parent->comm
}

macro pcomm()
{
  pcomm(curtask)
}

// The name of the task's thread group leader.
macro leader_comm(task)
{
  ((struct task_struct *)task)->group_leader->comm
}

macro leader_comm()
{
  leader_comm(curtask)
}

// Whether a pointer is an ERR_PTR: a kernel error code (-4095 … -1) returned in its place.
macro is_err(ptr)
{
  (int64)ptr < 0 && (int64)ptr >= -4095
}
`;
