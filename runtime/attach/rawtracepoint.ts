import { listTracepoints } from '../../common/kernel/tracefs';
import { describeRawTracepoint } from '../../common/kernel/btf-functions';
import { wildcardRegex } from '../../common/wildcard';
import type { RawTracepointAttach } from '../../src/probes/rawtracepoint.attach';
import type { Attacher } from './types';

export const rawtracepoint: Attacher<RawTracepointAttach> = {
  provider: 'rawtracepoint',
  attach: (prog, probe) => [prog.attachRawTracepoint(probe.attach.name)],
  // Raw tracepoints carry the names of the tracepoints, without the category.
  // bpftrace 0.2x's plain -l shows them.
  listOnlyWhenNamed: '0.17',
  list: (q) =>
    // Filtered here too, so -lv looks up the arguments of the events asked for only.
    [...new Set(listTracepoints().map((t) => t.split(':')[1]))].filter((n) => !q.parts.length || wildcardRegex(q.parts[q.parts.length - 1]).test(n)).map((n) => ({
      name: `rawtracepoint:${n}`,
      // -lv: the arguments `args` has (bpftrace 0.21+).
      ...(q.verbose ? { describe: () => describeRawTracepoint(n) ?? undefined } : {}),
    })),
};
