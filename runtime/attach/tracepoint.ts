import { argumentDeclarations, listTracepoints, tracefsRoot } from '../../common/kernel/tracefs';
import type { TracepointAttach } from '../../src/probes/tracepoint.attach';
import type { Attacher, Listed } from './types';

export const tracepoint: Attacher<TracepointAttach> = {
  provider: 'tracepoint',
  attach(prog, probe) {
    // libbpf reads the event's id from tracefs: mounted here if a cached compile skipped that.
    tracefsRoot();
    return [prog.attachTracepoint(probe.attach.category, probe.attach.name)];
  },
  list(q) {
    return listTracepoints().map((t): Listed => {
      const [c, n] = t.split(':');
      return { name: `tracepoint:${t}`, details: q.verbose ? argumentDeclarations(c, n).map((d) => `    ${d}`) : undefined };
    });
  },
};
