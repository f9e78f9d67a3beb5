// Attach points bpftrace 0.17 drops without a word: a uprobe whose symbol the binary lacks (it
// resolves symbols when attaching, and a name it cannot find matches nothing). Its tools rely on
// that: ssllatency.bt lists libcrypto functions that OpenSSL 3 no longer exports, threadsnoop.bt
// probes libpthread, which glibc 2.34 emptied. Such probes are type-checked like the others, then
// dropped with a warning naming them; bpftrace fails ("No probes to attach") only when nothing at
// all is left, and so does this, with the reasons as errors. bpftrace 0.26 decides by config
// missing_probes instead (missing-probes.ts), whose default, error, fails the compile.

import { BpfscriptError, type Diagnostic } from '../../common/diagnostics';
import type { Analysis } from './checked-program';
import { missingDiagnostic, missingPolicy } from './missing-probes';

export function dropUnresolved(analysis: Analysis): void {
  const dropped = analysis.probes.filter((p) => p.expanded.unresolved);
  if (!dropped.length) return;
  const reasons = dropped.map((p) => p.expanded.unresolved!);
  const policy = missingPolicy(analysis);
  if (policy === 'error') throw new BpfscriptError(dropped.map((p) => missingDiagnostic(analysis, policy, p.expanded.ap, p.expanded.unresolved!)!));
  if (dropped.length === analysis.probes.length) throw new BpfscriptError(reasons);
  analysis.probes = analysis.probes.filter((p) => !p.expanded.unresolved);
  const warnings: Diagnostic[] =
    policy === 'legacy'
      ? reasons.map((d) => ({ ...d, severity: 'WARNING' as const, message: `${d.message} (this attach point is skipped, as bpftrace skips it)` }))
      : dropped.map((p) => missingDiagnostic(analysis, policy, p.expanded.ap, p.expanded.unresolved!)).filter((d): d is Diagnostic => d !== null);
  analysis.warnings = [...(analysis.warnings ?? []), ...warnings];
}
