// Twin programs (src/semantic/twins.ts): a kprobe compiled beside an fentry/fexit program that does
// the same through a BPF trampoline, about half a kprobe's cost per call. Decided here, on the
// kernel that runs the program: the twin is loaded where the kernel takes tracing programs and
// attached instead of the kprobe; if loading it fails the object is loaded again without twins, and
// if attaching it fails the kprobe (loaded beside it) is attached. Output is the same either way.
//
// Forcing: --no-fentry (RunOptions.noFentry) or BPFSCRIPT_KPROBE_VIA=kprobe attach the kprobes;
// BPFSCRIPT_KPROBE_VIA=fentry compiles fentry programs only (common/kernel/kprobe-mechanism.ts).

import type { ProbeMeta } from '../../src/compiled';
import { tracingRefused } from '../../common/kernel/features';
import { LibbpfError, type BpfLink, type BpfObject, type BpfProgram } from '../libbpf';

/** Whether twins are loaded at all on this run: not when forced off, nor where tracing programs are refused. */
export function twinsWanted(noFentry: boolean | undefined): boolean {
  if (noFentry || process.env.BPFSCRIPT_KPROBE_VIA === 'kprobe') return false;
  return tracingRefused() === null;
}

/** Before load: the twins are sent to the verifier only when `on`. */
export function setTwinsLoaded(obj: BpfObject, probes: readonly ProbeMeta[], on: boolean): void {
  for (const p of probes) if (p.twin) obj.program(p.twin.progName).setAutoload(on);
}

/**
 * Attaches the probe's twin when it was loaded, else (or when that attach fails) the probe itself.
 * `attach` is the probe type's attacher; `say` reports the fallback (-v).
 */
export function attachPreferringTwin(obj: BpfObject, p: ProbeMeta, attach: (prog: BpfProgram, probe: ProbeMeta) => BpfLink[], say: (line: string) => void): BpfLink[] {
  if (p.twin) {
    const prog = obj.program(p.twin.progName);
    if (prog.autoload) {
      try {
        return attach(prog, { ...p, progName: p.twin.progName, attach: p.twin.attach });
      } catch (e) {
        if (!(e instanceof LibbpfError)) throw e;
        say(`${p.name}: the fentry program did not attach (${e.message}); attaching the kprobe`);
      }
    }
  }
  return attach(obj.program(p.progName), p);
}
