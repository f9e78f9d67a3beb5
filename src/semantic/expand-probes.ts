// Attach-point expansion: each attach point of each probe becomes one program per matching target
// (wildcards, aliases, `$N` in the attach point), through the probe-type registry (src/probes/).

import { BpfscriptError, type DiagnosticBag } from '../diagnostics';
import { expandAttachPoint } from '../probes';
import type { Analysis } from './checked-program';
import type { AnalyzeOptions } from './prepare';

/** Fills `analysis.probes`; throws every error collected so far (this pass's and earlier ones'). */
export function expandProbes(analysis: Analysis, opts: AnalyzeOptions, diags: DiagnosticBag): void {
  const { program } = analysis;
  let n = 0;
  const runOnceSeen = new Set<string>();
  for (const probe of program.probes) {
    // As in bpftrace, a wildcard that matches nothing is skipped when another attach point of the
    // probe does match (dcsnoop.bt's `kprobe:lookup_fast.constprop.*`); alone it is an error.
    const unmatched: typeof diags.items = [];
    let matched = false;
    for (const ap of probe.attachPoints) {
      try {
        const { type, probes } = expandAttachPoint(ap, probe, { pid: opts.pid, command: opts.command, positionals: opts.positionals });
        // The runtime runs BEGIN and END once each; bpftrace refuses a second one, before any work.
        if (type.runOnce) {
          if (runOnceSeen.has(type.runOnce)) {
            diags.error(`More than one ${type.name} probe defined`, ap.span);
            continue;
          }
          runOnceSeen.add(type.runOnce);
        }
        for (const expanded of probes) {
          matched = true;
          analysis.probes.push({ probe, type, expanded, progName: `probe_${n++}`, variables: new Map(), argFields: new Map() });
        }
      } catch (e) {
        if (!(e instanceof BpfscriptError)) throw e;
        if (/[*?]/.test(ap.raw) && e.diagnostics.every((d) => /^no .* matches /.test(d.message))) unmatched.push(...e.diagnostics);
        else diags.items.push(...e.diagnostics);
      }
    }
    if (!matched) diags.items.push(...unmatched);
  }
  diags.throwIfErrors();
}
