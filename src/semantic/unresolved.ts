// Attach points bpftrace 0.17 drops without a word: a uprobe whose symbol the binary lacks (it
// resolves symbols when attaching, and a name it cannot find matches nothing). Its tools rely on
// that: ssllatency.bt lists libcrypto functions that OpenSSL 3 no longer exports, threadsnoop.bt
// probes libpthread, which glibc 2.34 emptied. Such probes are type-checked like the others, then
// dropped with a warning naming them; bpftrace fails ("No probes to attach") only when nothing at
// all is left, and so does this, with the reasons as errors.

import { BpfscriptError } from '../diagnostics';
import type { Analysis } from './checked-program';

export function dropUnresolved(analysis: Analysis): void {
  const dropped = analysis.probes.filter((p) => p.expanded.unresolved);
  if (!dropped.length) return;
  const reasons = dropped.map((p) => p.expanded.unresolved!);
  if (dropped.length === analysis.probes.length) throw new BpfscriptError(reasons);
  analysis.probes = analysis.probes.filter((p) => !p.expanded.unresolved);
  analysis.warnings = [
    ...(analysis.warnings ?? []),
    ...reasons.map((d) => ({ ...d, severity: 'WARNING' as const, message: `${d.message} (this attach point is skipped, as bpftrace skips it)` })),
  ];
}
