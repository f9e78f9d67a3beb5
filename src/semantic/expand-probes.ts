// Attach-point expansion: each attach point of each probe becomes one program per matching target
// (wildcards, aliases, `$N` in the attach point), through the probe-type registry (src/probes/).

import { BpfscriptError, type Diagnostic, type DiagnosticBag } from '../../common/diagnostics';
import { expandAttachPoint } from '../probes';
import type { Analysis } from './checked-program';
import type { AnalyzeOptions } from './prepare';
import { missingDiagnostic, missingPolicy, PROBE_EMPTY, PROBE_REMOVED } from './missing-probes';
import { noProbesLeft, probeFilter } from '../probe-filter';

/** Fills `analysis.probes`; throws every error collected so far (this pass's and earlier ones'). */
export function expandProbes(analysis: Analysis, opts: AnalyzeOptions, diags: DiagnosticBag): void {
  const { program } = analysis;
  const policy = missingPolicy(analysis);
  const warnings: Diagnostic[] = [];
  let n = 0;
  let skippedAny = false;
  const runOnceSeen = new Set<string>();
  const namesSeen = new Set<string>();
  for (const probe of program.probes) {
    // As in bpftrace, a wildcard that matches nothing is skipped when another attach point of the
    // probe does match (dcsnoop.bt's `kprobe:lookup_fast.constprop.*`); alone it is an error.
    const unmatched: typeof diags.items = [];
    let matched = false;
    let skipped = 0;
    for (const ap of probe.attachPoints) {
      try {
        const { type, probes } = expandAttachPoint(ap, probe, { pid: opts.pid, command: opts.command, positionals: opts.positionals, dialect: analysis.dialect, unsafe: opts.unsafe });
        // bpftrace 0.17 refuses a second BEGIN or END before any work; 0.25+ runs them all in order.
        if ((type.runOnce === 'begin' || type.runOnce === 'end') && analysis.dialect === '0.17') {
          if (runOnceSeen.has(type.runOnce)) {
            // bpftrace 0.17's words alone (no hint): the differential suite compares them.
            diags.error(`More than one ${type.name} probe defined`, ap.span);
            continue;
          }
          runOnceSeen.add(type.runOnce);
        }
        // A test or bench probe's name is its line in the report.
        if ((type.runOnce === 'test' || type.runOnce === 'bench') && probes.length) {
          const name = probes[0].name;
          if (namesSeen.has(name)) {
            diags.error(`"${name.slice(type.name.length + 1)}" was used as the name for more than one ${type.name} probe`, ap.span);
            continue;
          }
          namesSeen.add(name);
        }
        for (const expanded of probes) {
          matched = true;
          analysis.probes.push({ probe, type, expanded, progName: `probe_${n++}`, variables: new Map(), argFields: new Map() });
        }
      } catch (e) {
        if (!(e instanceof BpfscriptError)) throw e;
        const missing = e.diagnostics.every((d) => d.missing);
        if (missing && (policy === 'warn' || policy === 'ignore')) {
          skipped++;
          for (const d of e.diagnostics) {
            const w = missingDiagnostic(analysis, policy, ap, d);
            if (w) warnings.push(w);
          }
          continue;
        }
        const reported = missing && policy === 'error' ? e.diagnostics.map((d) => missingDiagnostic(analysis, policy, ap, d)!) : e.diagnostics;
        if (/[*?]/.test(ap.raw) && e.diagnostics.every((d) => /^no .* matches /.test(d.message))) unmatched.push(...reported);
        else diags.items.push(...reported);
      }
    }
    // bpftrace 0.26 expands a wildcard that matches nothing to no attach point, and then refuses
    // the probe for having none.
    if (!matched) diags.items.push(...(analysis.dialect === '0.26' && policy === 'error' && unmatched.length ? [{ severity: 'ERROR' as const, message: PROBE_EMPTY, span: probe.attachPoints[0].span, hint: unmatched[0].hint }] : unmatched));
    if (skipped && !matched && !unmatched.length) {
      skippedAny = true;
      if (policy === 'warn') warnings.push({ severity: 'WARNING', message: PROBE_REMOVED, span: probe.attachPoints[0].span });
    }
  }
  if (warnings.length) analysis.warnings = [...(analysis.warnings ?? []), ...warnings];
  diags.throwIfErrors();
  if (skippedAny && analysis.probes.length === 0) throw new BpfscriptError([...warnings, { severity: 'ERROR', message: 'No probes to attach', hint: 'every attach point of the script names something this system lacks', plain: analysis.dialect === '0.26' }]);
  checkLimits(analysis);
}

/** config max_bpf_progs and max_probes, when the script sets them (bpftrace's wording). */
function checkLimits(analysis: Analysis): void {
  const { maxBpfProgs, maxProbes } = analysis.config;
  const progs = analysis.probes.length;
  if (maxBpfProgs !== undefined && progs > maxBpfProgs) {
    throw new BpfscriptError({ severity: 'ERROR', message: `Your program is trying to generate more than ${progs} BPF programs, which exceeds the current limit of ${maxBpfProgs}`, hint: 'You can increase the limit through the BPFTRACE_MAX_BPF_PROGS environment variable.' });
  }
  const attached = analysis.probes.filter((p) => !p.type.runOnce).length;
  if (maxProbes !== undefined && attached > maxProbes) {
    throw new BpfscriptError({ severity: 'ERROR', message: `Can't attach to ${attached} probes because it exceeds the current limit of ${maxProbes} probes.`, hint: 'You can increase the limit through the BPFTRACE_MAX_PROBES environment variable, but BE CAREFUL since a high number of probes attached can cause your system to crash.' });
  }
}

/**
 * --probe-filter REGEX (bpftrace 0.25+): only probes whose full name matches are compiled and
 * attached, test and bench probes included (`--test --probe-filter NAME` runs one test); BEGIN,
 * END and self probes always stay, as in bpftrace.
 */
export function filterProbes(analysis: Analysis, filter: string | undefined): void {
  if (filter === undefined) return;
  const keep = probeFilter(filter);
  analysis.probes = analysis.probes.filter((p) => keep(p.expanded.name, p.type.runOnce));
  if (!analysis.probes.length) throw noProbesLeft(filter, analysis.dialect === '0.26');
}
