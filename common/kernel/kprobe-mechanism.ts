// Which mechanism a kprobe uses on the running kernel, decided when the program is compiled (the
// program's section, and so its expected attach type, differs):
//   kprobe_multi  a wildcard, on kernels with fprobe-backed multi links (5.18+, CONFIG_FPROBE):
//                 one program and one link for every match, so thousands attach in one syscall;
//   kprobe        one perf-event kprobe per function otherwise;
//   fentry        when the kernel has no kprobes but takes BPF trampolines (arguments come from
//                 the trampoline's u64 array instead of pt_regs).
// BPFSCRIPT_KPROBE_VIA=kprobe|multi|fentry forces a choice (the kernel lane tests each path on one boot).

import { hasKprobeMulti, hasKprobes, tracingRefused } from './features';

export type KprobeMechanism = 'kprobe' | 'multi' | 'fentry';

function forced(): KprobeMechanism | undefined {
  const v = process.env.BPFSCRIPT_KPROBE_VIA;
  return v === 'kprobe' || v === 'multi' || v === 'fentry' ? v : undefined;
}

/**
 * The mechanism for a kprobe attach point: `wildcard` when it has one, `perMatch` when the program
 * must know which match fired at compile time (the `probe` builtin: bpftrace 0.17 then expands too).
 */
export function kprobeMechanism(o: { wildcard: boolean; offset: boolean; perMatch: boolean }): KprobeMechanism {
  const f = forced();
  if (f === 'multi') return o.wildcard && !o.offset && !o.perMatch ? 'multi' : 'kprobe';
  if (f === 'fentry') return o.offset ? 'kprobe' : 'fentry';
  if (f === 'kprobe') return 'kprobe';
  if (!hasKprobes()) return !o.offset && tracingRefused() === null ? 'fentry' : 'kprobe';
  if (o.wildcard && !o.offset && !o.perMatch && hasKprobeMulti()) return 'multi';
  return 'kprobe';
}
