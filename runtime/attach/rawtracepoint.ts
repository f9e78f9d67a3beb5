import type { Attacher } from './types';

export const rawtracepoint: Attacher = {
  provider: 'rawtracepoint',
  attach: (prog, probe) => [prog.attachRawTracepoint(String(probe.attach.name))],
};
