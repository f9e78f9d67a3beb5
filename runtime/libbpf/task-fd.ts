// What a process's file descriptor holds attached, if it is a BPF link or perf event with a
// program (bpf_task_fd_query): the bench harness polls it to know a tool's probes are live.

import { ffi } from './ffi';

/** The kernel's `enum bpf_task_fd_type`. */
export const enum TaskFdType {
  RawTracepoint = 0,
  Tracepoint = 1,
  Kprobe = 2,
  Kretprobe = 3,
  Uprobe = 4,
  Uretprobe = 5,
}

const name = Buffer.alloc(256);
const u32s = Buffer.alloc(12);
const u64s = Buffer.alloc(16);

/** The kind of probe `fd` of process `pid` attaches a BPF program to; undefined when it holds none. */
export function taskFdType(pid: number, fd: number): TaskFdType | undefined {
  u32s.writeUInt32LE(name.length, 0);
  const r = ffi().libbpf.bpf_task_fd_query(pid, fd, 0, name, u32s.subarray(0, 4), u32s.subarray(4, 8), u32s.subarray(8, 12), u64s.subarray(0, 8), u64s.subarray(8, 16));
  return r === 0 ? (u32s.readUInt32LE(8) as TaskFdType) : undefined;
}
