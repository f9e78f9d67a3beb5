// The kernel's answers to the compiler's feature probes (common/kernel/features.ts: may fentry stand
// in for kprobes, may a wildcard use one kprobe_multi link), asked by loading an empty program
// through the libbpf binding. The compiler cannot import the binding, so every real run hands
// this loader to the real host: the CLI, the session, and tests and tools that compile in-process.

import { installFeatureProbeLoader, type FeatureProbe } from '../common/kernel/host';
import { Insn, LibbpfError, ProgType, RawProgram, assemble } from './libbpf';

const BPF_TRACE_FENTRY = 24;
const BPF_TRACE_KPROBE_MULTI = 42;

const returnZero = () => assemble(Insn.movImm(0, 0), Insn.exit());

/** Null when the kernel took the program (and its link), else the errno libbpf reported. */
export function loadFeatureProbe(probe: FeatureProbe): number | null {
  let prog: RawProgram | undefined;
  try {
    if (probe.kind === 'tracing') {
      prog = RawProgram.load({ type: ProgType.TRACING, expectedAttachType: BPF_TRACE_FENTRY, insns: returnZero(), logSize: 4096 });
    } else {
      prog = RawProgram.load({ type: ProgType.KPROBE, expectedAttachType: BPF_TRACE_KPROBE_MULTI, insns: returnZero(), logSize: 4096, name: 'kprobe_multi' });
      prog.probeKprobeMultiLink(BPF_TRACE_KPROBE_MULTI, [probe.address]);
    }
    return null;
  } catch (e) {
    if (e instanceof LibbpfError) return e.errno;
    throw e;
  } finally {
    prog?.close();
  }
}

/** Makes the real host answer feature probes with this loader. */
export function useLibbpfFeatureProbes(): void {
  installFeatureProbeLoader(loadFeatureProbe);
}
