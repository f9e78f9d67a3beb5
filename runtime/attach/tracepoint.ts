import type { Attacher } from './types';

export const tracepoint: Attacher = {
  provider: 'tracepoint',
  attach(prog, probe) {
    return [prog.attachTracepoint(String(probe.attach.category), String(probe.attach.name))];
  },
};
