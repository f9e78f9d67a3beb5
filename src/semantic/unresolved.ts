// Attach points bpftrace 0.17 drops without a word: a uprobe whose symbol the binary lacks (it
// resolves symbols when attaching, and a name it cannot find matches nothing). Its tools rely on
// that: ssllatency.bt lists libcrypto functions that OpenSSL 3 no longer exports, threadsnoop.bt
// probes libpthread, which glibc 2.34 emptied. Such probes are type-checked like the others, then
// dropped with a warning naming them; bpftrace fails ("No probes to attach") only when nothing at
// all is left, and so does this, with the reasons as errors. bpftrace 0.26 decides by config
// missing_probes instead (missing-probes.ts), whose default, error, fails the compile.

import { BpfscriptError, type Diagnostic } from '../../common/diagnostics';
import type { Analysis } from './checked-program';
import { missingDiagnostic, missingPolicy, PROBE_REMOVED } from './missing-probes';

export function dropUnresolved(analysis: Analysis): void {
  const dropped = analysis.probes.filter((p) => p.expanded.unresolved);
  if (!dropped.length) return;
  const reasons = dropped.map((p) => p.expanded.unresolved!);
  const policy = missingPolicy(analysis);
  if (policy === 'error') throw new BpfscriptError(dropped.map((p) => missingDiagnostic(analysis, policy, p.expanded.ap, p.expanded.unresolved!)!));
  if (dropped.length === analysis.probes.length && policy === 'legacy') throw new BpfscriptError(reasons);
  const kept = analysis.probes.filter((p) => !p.expanded.unresolved);
  const warnings: Diagnostic[] =
    policy === 'legacy'
      ? reasons.map((d) => ({ ...d, severity: 'WARNING' as const, message: `${d.message} (this attach point is skipped, as bpftrace skips it)` }))
      : dropped.flatMap((p) => {
          const w = missingDiagnostic(analysis, policy, p.expanded.ap, p.expanded.unresolved!);
          // A probe left with no attach point at all is removed, as 0.26 warns.
          const removed = policy === 'warn' && !kept.some((k) => k.probe === p.probe) ? [{ severity: 'WARNING' as const, message: PROBE_REMOVED, span: p.probe.attachPoints[0].span }] : [];
          return [...(w ? [w] : []), ...removed];
        });
  analysis.warnings = [...(analysis.warnings ?? []), ...warnings];
  if (!kept.length) throw new BpfscriptError([...analysis.warnings, { severity: 'ERROR', message: 'No probes to attach', hint: 'every attach point of the script names something this system lacks', plain: analysis.dialect === '0.26' }]);
  analysis.probes = kept;
}
