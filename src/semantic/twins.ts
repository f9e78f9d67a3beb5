// A semantic pass after checking: a probe whose body a cheaper kernel mechanism can run unchanged
// gets a twin program (ProbeType.twin: a kprobe's fentry/fexit, src/probes/kprobe-fentry.ts).
// Both are compiled; which one is attached is decided when loading, on the kernel that runs the
// program (runtime/attach/twin.ts), so a cached or built program still falls back to the kprobe.
//
// The twin shares its probe's AST, types, map and event ids: only the context it reads differs.
// Programs on one attach point keep one mechanism between them: the kernel orders the programs
// of a mechanism (newest first for kprobes and fentry), but not kprobes against trampolines, and
// the script's order must hold.

import type { Analysis, AnalyzedProbe } from './checked-program';
import { bindProbe } from '../probes/types';

export function addTwins(analysis: Analysis): void {
  // An artifact runs on other kernels: a twin's argument slots come from this kernel's BTF
  // prototypes, which another kernel may lay out differently. Artifacts keep their kprobes.
  if (analysis.relocatable) return;
  const twins = new Map<AnalyzedProbe, AnalyzedProbe>();
  const refused = new Set<string>();
  for (const p of analysis.probes) {
    const site = p.type.twin?.(p.expanded, p.probe, analysis.program.macros);
    if (!site) {
      refused.add(p.expanded.section);
      continue;
    }
    twins.set(p, { ...p, expanded: bindProbe(p.type, site), progName: `${p.progName}_tw` });
  }
  for (const [p, twin] of twins) if (!refused.has(p.expanded.section)) p.twin = twin;
}
