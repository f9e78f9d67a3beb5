// When are a tracer's probes live? Both tools print "Attaching N probes..." before they attach, so
// the harness asks the kernel instead: bpf_task_fd_query() on each of the tracer's descriptors says
// which ones are tracepoints (perf events or raw tracepoints) with a BPF program attached. That
// works whether the tool attaches through a perf event + ioctl (bpftrace 0.17) or a BPF link
// (libbpf), and costs a syscall per descriptor, so the harness can poll every half millisecond.

import koffi from 'koffi';
import { readdirSync } from 'node:fs';

const BPF_FD_TYPE_RAW_TRACEPOINT = 0;
const BPF_FD_TYPE_TRACEPOINT = 1;

let query: ((...a: unknown[]) => number) | undefined;

function taskFdQuery(): (...a: unknown[]) => number {
  query ??= koffi
    .load('libbpf.so.1')
    .func('int bpf_task_fd_query(int pid, int fd, uint32_t flags, _Out_ uint8_t *buf, _Inout_ uint32_t *len, _Out_ uint32_t *prog_id, _Out_ uint32_t *fd_type, _Out_ uint64_t *off, _Out_ uint64_t *addr)');
  return query;
}

/** Tracepoints of `pid` that have a BPF program attached right now. */
export function attachedTracepoints(pid: number): number {
  const q = taskFdQuery();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 0;
  }
  let n = 0;
  const buf = Buffer.alloc(256);
  for (const fd of fds) {
    const len = [buf.length];
    const progId = [0];
    const type = [0];
    const off = [0n];
    const addr = [0n];
    if (q(pid, Number(fd), 0, buf, len, progId, type, off, addr) !== 0) continue;
    if (type[0] === BPF_FD_TYPE_TRACEPOINT || type[0] === BPF_FD_TYPE_RAW_TRACEPOINT) n++;
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
