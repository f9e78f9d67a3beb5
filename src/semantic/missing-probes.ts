// config missing_probes (bpftrace 0.26): what an attach point naming something this system lacks
// (a tracepoint, kernel function, symbol or binary) does to the compile. "error" fails it, "warn"
// skips the attach point with a warning, "ignore" skips it silently. Without the setting, the
// 0.17 dialect keeps 0.17's own rules (a uprobe symbol the binary lacks is skipped with a
// warning, anything else fails) and the 0.26 dialect uses 0.26's default, error.

import type { AttachPoint } from '../ast';
import type { Diagnostic } from '../../common/diagnostics';
import { probeType } from '../probes';
import type { Analysis } from './checked-program';
import type { MissingProbes } from './config';

export type MissingPolicy = MissingProbes | 'legacy';

export function missingPolicy(a: Analysis): MissingPolicy {
  return a.config.missingProbes ?? (a.dialect === '0.26' ? 'error' : 'legacy');
}

/** bpftrace 0.26's words for an attach point that matches nothing: "No matches for kprobe foo". */
function noMatches(ap: AttachPoint): string {
  // 0.26's name of the type (fentry for kfunc), where it is one a probe can be written with.
  const t = probeType(ap.provider);
  const type = t?.probetypeName && t.aliases.includes(t.probetypeName) ? t.probetypeName : (t?.name ?? ap.provider);
  return `No matches for ${type} ${ap.parts.join(':')}`;
}

/**
 * The diagnostic for missing `ap` under `policy`: an error (reworded as 0.26 words it under that
 * dialect, our own wording kept as the hint), a warning that it is skipped, or null (ignore).
 */
export function missingDiagnostic(a: Analysis, policy: MissingPolicy, ap: AttachPoint, d: Diagnostic): Diagnostic | null {
  if (policy === 'ignore') return null;
  // A warning that comes with the miss ("is not traceable") is said as it is.
  if (d.severity === 'WARNING') return d;
  const words = a.dialect === '0.26' ? { message: noMatches(ap), hint: d.hint ? `${d.message}; ${d.hint}` : d.message } : { message: d.message, hint: d.hint };
  if (policy === 'warn') return { ...d, ...words, severity: 'WARNING', message: `${words.message}. Skipping.` };
  if (a.dialect === '0.26') return { ...d, ...words, message: `${words.message}.` };
  return d;
}

/** bpftrace 0.26's warning for a probe all of whose attach points were skipped. */
export const PROBE_REMOVED = 'Probe has no valid attach points. It is being removed which may cause issues with program behavior.';

/** bpftrace 0.26's error for a probe none of whose attach points matched anything (missing_probes = error). */
export const PROBE_EMPTY = "Probe has no valid attach points. If this is expected, set the 'missing_probes' config variable to 'warn'.";
