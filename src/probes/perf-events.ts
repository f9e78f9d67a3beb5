// profile, software and hardware probes: perf events that run the program on overflow.
// profile fires on every CPU at a rate; software/hardware fire every N occurrences of an event.

import { error } from '../../common/diagnostics';
import { HARDWARE, SOFTWARE, type EventTable } from '../../common/kernel/perf-events';
import type { CountedEventAttach, ProfileAttach } from './perf-events.attach';
import type { ProbeType } from './types';

const RATE_NS: Record<string, number> = { s: 1e9, ms: 1e6, us: 1e3 };

export const profile: ProbeType<ProfileAttach> = {
  examples: [{ script: 'profile:hz:99 { @ = 1; exit(); }', output: '\n\n@: 1\n', sameAs017: true }],
  name: 'profile',
  aliases: ['p'],
  addressSpace: 'kernel',
  context: () => 'perf',
  maySendSignal: true,
  expand(ap) {
    const [unit, count] = ap.parts.length === 2 ? ap.parts : [undefined, undefined];
    if (!unit || !count || !/^\d+$/.test(count) || Number(count) <= 0) {
      throw error(`invalid profile probe: ${ap.raw}`, ap.span, 'write profile:hz:99, profile:s:1 or profile:ms:10');
    }
    let attach: ProfileAttach;
    if (unit === 'hz') attach = { freq: Number(count) };
    else if (unit in RATE_NS) attach = { periodNs: Number(count) * RATE_NS[unit] };
    else throw error(`invalid profile unit '${unit}'`, ap.span, 'use hz, s, ms or us');
    return [{ name: `profile:${unit}:${count}`, section: 'perf_event', attach, ap }];
  },
};

function counted(name: 'software' | 'hardware', alias: string, table: EventTable): ProbeType<CountedEventAttach> {
  const lookup = (n: string) => Object.entries(table).find(([k, v]) => k === n || v.aliases.includes(n));
  return {
    name,
    aliases: [alias],
    addressSpace: 'kernel',
    context: () => 'perf',
    expand(ap, _probe, on) {
      const [ev, count] = ap.parts;
      const found = ev ? lookup(ev) : undefined;
      if (!found) {
        throw error(`unknown ${name} event: ${ev ?? ''}`, ap.span, `${name} events: ${Object.keys(table).join(', ')}`);
      }
      // bpftrace 0.2x also takes the count in scientific notation (software:cpu:1e6).
      if (count !== undefined && (!/^\d+(e\d+)?$/.test(count) || Number(count) <= 0 || !Number.isSafeInteger(Number(count)))) throw error(`invalid ${name} count '${count}'`, ap.span);
      const period = count ? Number(count) : found[1].defaultCount;
      // bpftrace 0.2x names the probe by the event as written (software:cpu:100000 for cpu-clock).
      const shown = on?.dialect === '0.26' ? ev : found[0];
      const pid = on?.dialect === '0.26' ? on.pid : undefined;
      return [{ name: `${name}:${shown}:${period}`, section: 'perf_event', attach: { event: found[0], period, ...(pid !== undefined ? { pid } : {}) }, ap }];
    },
  };
}

export const software = counted('software', 's', SOFTWARE);
software.examples = [{ script: 'software:cpu-clock:100000 { @ = 1; exit(); }', output: '\n\n@: 1\n', sameAs017: true }];
export const hardware = counted('hardware', 'h', HARDWARE);
hardware.examples = [{ script: 'hardware:cycles:1000000 { @ = 1; exit(); }', output: '\n\n@: 1\n', loadOnly: 'this VM has no hardware counters' }];
