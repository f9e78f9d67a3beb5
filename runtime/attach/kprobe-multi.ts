// Which mechanism a kprobe uses on the running kernel, decided when the program is compiled (the
// program's section, and so its expected attach type, differs):
//   kprobe_multi  a wildcard, on kernels with fprobe-backed multi links (5.18+, CONFIG_FPROBE):
//                 one program and one link for every match, so thousands attach in one syscall;
//   kprobe        one perf-event kprobe per function otherwise;
//   fentry        when the kernel has no kprobes but takes BPF trampolines (arguments come from
//                 the trampoline's u64 array instead of pt_regs).
// BPFSCRIPT_KPROBE_VIA=kprobe|multi|fentry forces a choice (the kernel lane tests each path on one boot).

import { readFileSync } from 'node:fs';
import { LibbpfError, ProgType, RawProgram } from '../libbpf';
import { Insn, assemble } from '../libbpf/insn';
import { hasKprobes } from '../../src/kernel/features';
import { tracingRefused } from './kfunc';

export type KprobeMechanism = 'kprobe' | 'multi' | 'fentry';

const BPF_TRACE_KPROBE_MULTI = 42;
let multi: boolean | undefined;
let addrCache: Map<string, bigint> | undefined;

/** First address of every text symbol in /proc/kallsyms (what the kernel's name lookup returns). */
export function kallsymsAddresses(): Map<string, bigint> {
  if (!addrCache) {
    addrCache = new Map();
    let text = '';
    try {
      text = readFileSync('/proc/kallsyms', 'latin1');
    } catch {
      return addrCache;
    }
    for (const line of text.split('\n')) {
      const sp = line.indexOf(' ');
      const t = line[sp + 1];
      if (t !== 't' && t !== 'T') continue;
      const rest = line.slice(sp + 3);
      const tab = rest.indexOf('\t');
      const name = tab < 0 ? rest : rest.slice(0, tab);
      if (!addrCache.has(name)) addrCache.set(name, BigInt(`0x${line.slice(0, sp)}`));
    }
  }
  return addrCache;
}

/**
 * Whether a kprobe_multi link can be made here: load an empty kprobe program of that attach type
 * and link it to one function, as bpftrace 0.17 checks. Kernels without CONFIG_FPROBE load the
 * program but refuse the link (EOPNOTSUPP).
 */
export function hasKprobeMulti(): boolean {
  if (multi === undefined) {
    multi = false;
    const addr = kallsymsAddresses().get('ksys_read');
    if (hasKprobes() && addr) {
      let prog: RawProgram | undefined;
      try {
        prog = RawProgram.load({ type: ProgType.KPROBE, expectedAttachType: BPF_TRACE_KPROBE_MULTI, insns: assemble(Insn.movImm(0, 0), Insn.exit()), logSize: 4096, name: 'kprobe_multi' });
        prog.probeKprobeMultiLink(BPF_TRACE_KPROBE_MULTI, [addr]);
        multi = true;
      } catch (e) {
        if (!(e instanceof LibbpfError)) throw e;
      } finally {
        prog?.close();
      }
    }
  }
  return multi;
}

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
