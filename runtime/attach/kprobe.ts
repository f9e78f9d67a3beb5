import { hasKprobes } from './kernel-features';
import type { Attacher } from './types';

function kernelProbe(provider: 'kprobe' | 'kretprobe'): Attacher {
  return {
    provider,
    unavailable: () =>
      hasKprobes()
        ? undefined
        : {
            missing: 'this kernel has no kprobe support (CONFIG_KPROBES / CONFIG_KPROBE_EVENTS is off)',
            instead: 'trace a tracepoint instead (bpfscript -l "tracepoint:*"), or run on a kernel with kprobes',
          },
    attach(prog, probe) {
      const func = String(probe.attach.func);
      const offset = Number(probe.attach.offset ?? 0);
      return [prog.attachKprobe(offset ? `${func}+${offset}` : func, provider === 'kretprobe')];
    },
  };
}

export const kprobe = kernelProbe('kprobe');
export const kretprobe = kernelProbe('kretprobe');
