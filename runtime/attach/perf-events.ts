// profile (every CPU, at a rate), software and hardware (every CPU, every N events).

import { onlineCpus } from '../../common/kernel/cpus';
import { perfEventOpen, type BpfLink, type BpfProgram, type PerfEventOptions } from '../libbpf';
import { HARDWARE, SOFTWARE, type EventTable } from '../../common/kernel/perf-events';
import { hasHardwareCounters } from '../../common/kernel/features';
import type { CountedEventAttach, ProfileAttach } from '../../src/probes/perf-events.attach';
import type { Attacher, ListQuery, Listed } from './types';

function onEveryCpu(prog: BpfProgram, open: (cpu: number) => PerfEventOptions): BpfLink[] {
  const links: BpfLink[] = [];
  try {
    for (const cpu of onlineCpus()) links.push(prog.attachPerfEvent(perfEventOpen(open(cpu))));
  } catch (e) {
    for (const l of links) l.destroy();
    throw e;
  }
  return links;
}

/** The events of a table as -l shows them; bpftrace 0.2x lists each alias (software:cpu:) too. */
function events(provider: string, table: EventTable, dialect: ListQuery['dialect']): Listed[] {
  return Object.entries(table).flatMap(([e, v]) => [e, ...(dialect === '0.26' ? v.aliases : [])]).map((e) => ({ name: `${provider}:${e}:` }));
}

/** bpftrace 0.2x lists interval and profile by their units: interval:hz:, interval:s: … */
export const listUnits = (provider: string) => (q: ListQuery): Listed[] => (q.dialect === '0.26' ? ['hz', 'ms', 's', 'us'].map((u) => ({ name: `${provider}:${u}:` })) : []);

export const profile: Attacher<ProfileAttach> = {
  provider: 'profile',
  list: listUnits('profile'),
  attach(prog, probe) {
    const a = probe.attach;
    return onEveryCpu(prog, (cpu) => ({
      event: 'cpu-clock',
      cpu,
      pid: -1,
      ...('freq' in a ? { sampleFreq: a.freq } : { samplePeriod: a.periodNs }),
    }));
  },
};

export const software: Attacher<CountedEventAttach> = {
  provider: 'software',
  // As bpftrace 0.17 orders them (its own test then sees the second probe's output first); 0.26
  // attaches them in the script's order, and the first probe's event fires first.
  lastAttachedRunsFirst: '0.17',
  list: (q) => events('software', SOFTWARE, q.dialect),
  attach(prog, probe) {
    const { event, period, pid } = probe.attach;
    if (pid !== undefined) return [prog.attachPerfEvent(perfEventOpen({ event, cpu: -1, pid, samplePeriod: period }))];
    return onEveryCpu(prog, (cpu) => ({ event, cpu, pid: -1, samplePeriod: period }));
  },
};

/** perf's hardware event numbers (PERF_COUNT_HW_*) by bpftrace's event names. */
const HARDWARE_CONFIG: Record<string, number> = {
  'cpu-cycles': 0, instructions: 1, 'cache-references': 2, 'cache-misses': 3, 'branch-instructions': 4,
  'branch-misses': 5, 'bus-cycles': 6, 'frontend-stalls': 7, 'backend-stalls': 8, 'ref-cycles': 9,
};

export const hardware: Attacher<CountedEventAttach> = {
  provider: 'hardware',
  list: (q) => events('hardware', HARDWARE, q.dialect),
  unavailable: () =>
    hasHardwareCounters()
      ? undefined
      : {
          missing: 'this machine exposes no hardware performance counters (no CPU PMU, as in most VMs)',
          instead: 'use a software event (software:cpu-clock:1000000) or profile:hz:99',
        },
  attach(prog, probe) {
    const hw = HARDWARE_CONFIG[probe.attach.event];
    const { pid } = probe.attach;
    if (pid !== undefined) return [prog.attachPerfEvent(perfEventOpen({ hardware: hw, cpu: -1, pid, samplePeriod: probe.attach.period }))];
    return onEveryCpu(prog, (cpu) => ({ hardware: hw, cpu, pid: -1, samplePeriod: probe.attach.period }));
  },
};
