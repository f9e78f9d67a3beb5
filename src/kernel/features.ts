// What this kernel can attach, so a missing mechanism is reported before anything is attached,
// naming what is missing and what to use instead. sysfs says which perf PMUs exist; what sysfs
// cannot say (whether tracing programs or kprobe_multi links are allowed) is asked of the kernel
// by loading an empty program, once per host.

import { constants } from 'node:os';
import { ENOTSUPP, Insn, LibbpfError, ProgType, RawProgram, assemble } from '../../runtime/libbpf';
import { host, perHost } from './host';
import { textAddresses } from './kallsyms';

const PMU = '/sys/bus/event_source/devices';
const { EPERM, EOPNOTSUPP } = constants.errno;
const BPF_TRACE_FENTRY = 24;
const BPF_TRACE_KPROBE_MULTI = 42;

export const hasKprobes = (): boolean => host().exists(`${PMU}/kprobe`);
export const hasUprobes = (): boolean => host().exists(`${PMU}/uprobe`);
export const hasBreakpoints = (): boolean => host().exists(`${PMU}/breakpoint`);
export const hasHardwareCounters = (): boolean => host().exists(`${PMU}/cpu`) || host().exists(`${PMU}/armv8_pmuv3_0`);

/**
 * Whether the kernel refuses tracing programs outright (the errno), or null. A tracing program that
 * names no target is always invalid (EINVAL: "Tracing programs must provide btf_id"), but a kernel
 * that forbids the program type answers EPERM before it looks: that answer is the refusal.
 */
export function tracingRefused(): number | null {
  return perHost('features:tracing', () => {
    try {
      RawProgram.load({ type: ProgType.TRACING, expectedAttachType: BPF_TRACE_FENTRY, insns: assemble(Insn.movImm(0, 0), Insn.exit()), logSize: 4096 }).close();
    } catch (e) {
      if (e instanceof LibbpfError && (e.errno === EPERM || e.errno === EOPNOTSUPP || e.errno === ENOTSUPP)) return e.errno;
    }
    return null;
  });
}

/**
 * Whether a kprobe_multi link can be made here: load an empty kprobe program of that attach type
 * and link it to one function, as bpftrace 0.17 checks. Kernels without CONFIG_FPROBE load the
 * program but refuse the link (EOPNOTSUPP).
 */
export function hasKprobeMulti(): boolean {
  return perHost('features:kprobe-multi', () => {
    const addr = textAddresses().get('ksys_read');
    if (!hasKprobes() || !addr) return false;
    let prog: RawProgram | undefined;
    try {
      prog = RawProgram.load({ type: ProgType.KPROBE, expectedAttachType: BPF_TRACE_KPROBE_MULTI, insns: assemble(Insn.movImm(0, 0), Insn.exit()), logSize: 4096, name: 'kprobe_multi' });
      prog.probeKprobeMultiLink(BPF_TRACE_KPROBE_MULTI, [addr]);
      return true;
    } catch (e) {
      if (!(e instanceof LibbpfError)) throw e;
      return false;
    } finally {
      prog?.close();
    }
  });
}
