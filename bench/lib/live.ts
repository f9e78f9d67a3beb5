// When are a tracer's probes live? Both tools print "Attaching N probes..." before they attach, so
// the harness asks the kernel instead: bpf_task_fd_query() on each of the tracer's descriptors says
// which ones are tracepoints (perf events or raw tracepoints) with a BPF program attached. That
// works whether the tool attaches through a perf event + ioctl (bpftrace 0.17) or a BPF link
// (libbpf), and costs a syscall per descriptor, so the harness can poll every half millisecond.

import { readdirSync } from 'node:fs';
import { taskFdType, TaskFdType } from '../../runtime/libbpf/task-fd';

/** Tracepoints of `pid` that have a BPF program attached right now. */
export function attachedTracepoints(pid: number): number {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 0;
  }
  let n = 0;
  for (const fd of fds) {
    const type = taskFdType(pid, Number(fd));
    if (type === TaskFdType.Tracepoint || type === TaskFdType.RawTracepoint) n++;
  }
  return n;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
export function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** The pid of the only child of `pid` (the tool under /usr/bin/time), once it exists. */
export function childOf(pid: number): number | undefined {
  try {
    const kids = require('node:fs').readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return kids ? Number(kids.split(/\s+/)[0]) : undefined;
  } catch {
    return undefined;
  }
}
