// The probe-type registry: adding a probe type means one module here (with its TYPE.attach.ts
// record, a member of AttachRecord in src/compiled.ts) and one in runtime/attach/.

import type { AttachPoint, Probe } from '../ast';
import { error } from '../../common/diagnostics';
import { didYouMean } from '../suggest';
import { interval } from './interval';
import { iter } from './iter';
import { kfunc, kretfunc } from './kfunc';
import { kprobe, kretprobe } from './kprobe';
import { hardware, profile, software } from './perf-events';
import { rawtracepoint } from './rawtracepoint';
import { uprobe, uretprobe } from './uprobe';
import { usdt } from './usdt';
import { watchpoint } from './watchpoint';
import { asyncwatchpoint } from './asyncwatchpoint';
import { begin, bench, end, self, test } from './special';
import { tracepoint } from './tracepoint';
import { bindProbe, type ExpandTarget, type ExpandedProbe, type ProbeType } from './types';

export type { ExpandTarget, ExpandedProbe, ProbeContext, ProbeType, RunAt } from './types';

const PROBE_TYPES: readonly ProbeType[] = [
  begin, end, tracepoint, rawtracepoint, kprobe, kretprobe, kfunc, kretfunc, uprobe, uretprobe, usdt, interval, profile, software, hardware, iter, watchpoint, asyncwatchpoint, self, test, bench,
];

const byName = new Map<string, ProbeType>();
for (const t of PROBE_TYPES) {
  byName.set(t.name, t);
  for (const a of t.aliases) byName.set(a, t);
}

/**
 * `$N` in an attach point stands for the Nth argument after the script, as text (bpftrace
 * substitutes it before reading the attach point: `interval:ms:$1`, `BEG$1` with IN); a missing
 * one is empty.
 */
function withPositionals(ap: AttachPoint, positionals: readonly string[]): AttachPoint {
  if (!ap.raw.includes('$')) return ap;
  const put = (s: string) => s.replace(/\$(\d+)/g, (_m, n: string) => positionals[Number(n) - 1] ?? '');
  return { ...ap, raw: put(ap.raw), provider: put(ap.provider), parts: ap.parts.map(put) };
}

export function probeType(provider: string): ProbeType | undefined {
  return byName.get(provider);
}

/** Every probe type, in the registry's order (for messages that list those with a capability). */
export function probeTypes(): readonly ProbeType[] {
  return PROBE_TYPES;
}

export function expandAttachPoint(given: AttachPoint, probe?: Probe, target: ExpandTarget = {}): { type: ProbeType; probes: ExpandedProbe[] } {
  const ap = withPositionals(given, target.positionals ?? []);
  const type = byName.get(ap.provider);
  if (!type) {
    const known = PROBE_TYPES.map((t) => t.name).join(', ');
    const near = didYouMean(ap.provider, byName.keys());
    throw error(`Invalid probe type: ${ap.provider}`, ap.span, near ? `${near} Probe types available: ${known}` : `probe types available: ${known}`);
  }
  return { type, probes: type.expand(ap, probe, target).map((site) => bindProbe(type, site)) };
}
