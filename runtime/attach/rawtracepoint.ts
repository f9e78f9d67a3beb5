import { listTracepoints } from '../../src/kernel/tracefs';
import type { RawTracepointAttach } from '../../src/probes/rawtracepoint.attach';
import type { Attacher } from './types';

export const rawtracepoint: Attacher<RawTracepointAttach> = {
  provider: 'rawtracepoint',
  attach: (prog, probe) => [prog.attachRawTracepoint(probe.attach.name)],
  // Raw tracepoints carry the names of the tracepoints, without the category.
  listOnlyWhenNamed: true,
  list: () => [...new Set(listTracepoints().map((t) => t.split(':')[1]))].map((n) => ({ name: `rawtracepoint:${n}` })),
};
