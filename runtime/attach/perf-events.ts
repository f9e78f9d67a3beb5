// profile (every CPU, at a rate), software and hardware (every CPU, every N events).

import { onlineCpus } from '../../common/kernel/cpus';
import { perfEventOpen, type BpfLink, type BpfProgram, type PerfEventOptions } from '../libbpf';
import { HARDWARE, SOFTWARE } from '../../common/kernel/perf-events';
import { hasHardwareCounters } from '../../common/kernel/features';
import type { CountedEventAttach, ProfileAttach } from '../../src/probes/perf-events.attach';
import type { Attacher } from './types';

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

export const profile: Attacher<ProfileAttach> = {
  provider: 'profile',
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
  // One perf event's BPF programs run newest first.
  lastAttachedRunsFirst: true,
  list: () => Object.keys(SOFTWARE).map((e) => ({ name: `software:${e}:` })),
  attach(prog, probe) {
    const { event, period } = probe.attach;
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
  list: () => Object.keys(HARDWARE).map((e) => ({ name: `hardware:${e}:` })),
  unavailable: () =>
    hasHardwareCounters()
      ? undefined
      : {
          missing: 'this machine exposes no hardware performance counters (no CPU PMU, as in most VMs)',
          instead: 'use a software event (software:cpu-clock:1000000) or profile:hz:99',
        },
  attach(prog, probe) {
    const hw = HARDWARE_CONFIG[probe.attach.event];
    return onEveryCpu(prog, (cpu) => ({ hardware: hw, cpu, pid: -1, samplePeriod: probe.attach.period }));
  },
};
