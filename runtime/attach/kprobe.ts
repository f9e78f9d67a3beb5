import { readFileSync } from 'node:fs';
import { tracefsRoot } from '../../src/semantic/tracefs';
import { hasKprobes } from './kernel-features';
import type { Attacher, ListQuery } from './types';

/** Traceable kernel functions, "name" or "name [module]" per line; a warning when unreadable. */
function kernelFunctions(q: ListQuery): string[] {
  const file = `${tracefsRoot() ?? '/sys/kernel/tracing'}/available_filter_functions`;
  try {
    const names = readFileSync(file, 'utf8').split('\n').map((l) => l.split(/\s/)[0]).filter(Boolean);
    return [...new Set(names)];
  } catch (e) {
    q.warn(`could not read kernel functions from ${file}: ${(e as Error).message.split(',')[0].replace(/^\w+: /, '')}`);
    return [];
  }
}

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
      return [prog.attachKprobe(func, provider === 'kretprobe', offset)];
    },
    // bpftrace lists kernel functions once, as kprobes.
    list: provider === 'kprobe' ? (q) => kernelFunctions(q).map((f) => ({ name: `kprobe:${f}` })) : undefined,
  };
}

export const kprobe = kernelProbe('kprobe');
export const kretprobe = kernelProbe('kretprobe');
