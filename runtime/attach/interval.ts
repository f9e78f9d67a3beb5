// interval: one cpu-clock perf event, on the first online CPU only, so the probe fires once per
// period system-wide (profile, by contrast, fires on every CPU).

import { onlineCpus } from '../../common/kernel/cpus';
import { perfEventOpen } from '../libbpf';
import type { IntervalAttach } from '../../src/probes/interval.attach';
import type { Attacher } from './types';
import { listUnits } from './perf-events';

export const interval: Attacher<IntervalAttach> = {
  provider: 'interval',
  list: listUnits('interval'),
  attach(prog, probe) {
    const cpu = onlineCpus()[0] ?? 0;
    const fd = perfEventOpen({ event: 'cpu-clock', samplePeriod: probe.attach.periodNs, cpu, pid: -1 });
    return [prog.attachPerfEvent(fd)];
  },
};
