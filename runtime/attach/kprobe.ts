// kprobe/kretprobe through the mechanism chosen at compile time (common/kernel/kprobe-mechanism.ts): one perf-event
// kprobe, one kprobe_multi link for every match of a wildcard, or fentry/fexit on kernels without
// kprobes. With -v each probe says which.

import { filterFunctionList } from '../../common/kernel/ftrace';
import { kernelFunctions as expandable } from '../../common/kernel/kprobe-functions';
import type { ProbeMeta } from '../../src/compiled';
import type { KprobeAttach } from '../../src/probes/kprobe.attach';
import { err } from '../../common/stdio';
import { hasKprobes, tracingRefused } from '../../common/kernel/features';
import { textAddresses } from '../../common/kernel/kallsyms';
import type { Attacher, ListQuery } from './types';

/** Traceable kernel functions, "name" or "name [module]" per line; a warning when unreadable. */
function kernelFunctions(q: ListQuery): string[] {
  const list = filterFunctionList();
  if (list.names) return [...new Set(list.names)];
  // 0.26 lists what a kprobe wildcard expands over, as compiling does: kallsyms stands in.
  if (q.dialect === '0.26') {
    q.warn(`could not read kernel functions from ${list.file}: ${list.error}; listing the text symbols of /proc/kallsyms instead`);
    return expandable().names;
  }
  q.warn(`could not read kernel functions from ${list.file}: ${list.error}`);
  return [];
}

const say = (verbose: boolean | undefined, line: string): void => {
  if (verbose) err(`${line}\n`);
};

function kernelProbe(provider: 'kprobe' | 'kretprobe'): Attacher<KprobeAttach> {
  return {
    provider,
    // As bpftrace finds: kprobes on one function run newest first, kretprobes in attach order.
    lastAttachedRunsFirst: provider === 'kprobe',
    unavailable: (p?: ProbeMeta<KprobeAttach>) =>
      // A twin attaches where tracing programs load, kprobes or not (runtime/attach/twin.ts).
      hasKprobes() || p?.attach.via === 'fentry' || (p?.twin && tracingRefused() === null)
        ? undefined
        : {
            missing: 'this kernel has no kprobe support (CONFIG_KPROBES / CONFIG_KPROBE_EVENTS is off)',
            instead: 'trace a tracepoint instead (bpfscript -l "tracepoint:*"), or run on a kernel with kprobes',
          },
    attach(prog, probe, session) {
      const ret = provider === 'kretprobe';
      const a = probe.attach;
      if (a.via === 'multi') {
        const funcs = a.funcs;
        const addrs = textAddresses();
        // A name kallsyms lacks (a module unloaded since compiling) is dropped rather than failing the rest.
        const found = funcs.filter((f) => addrs.has(f));
        say(session.verbose, `${probe.name}: kprobe_multi, one link for ${found.length} function${found.length === 1 ? '' : 's'}`);
        return [prog.attachKprobeMulti(found.map((f) => addrs.get(f)!), ret, `${probe.name} (${found.length} functions)`)];
      }
      if (a.via === 'fentry') {
        const how = ret ? 'fexit' : 'fentry';
        const link = prog.attachTrace();
        say(session.verbose, a.twin ? `${probe.name} attached as ${how} (cheaper than a ${provider}; --no-fentry forces the ${provider})` : `${probe.name}: ${how} (this kernel has no kprobes)`);
        return [link];
      }
      say(session.verbose, `${probe.name}: ${ret ? 'kretprobe' : 'kprobe'}`);
      return [prog.attachKprobe(a.func, ret, a.offset)];
    },
    // bpftrace lists kernel functions once, as kprobes; 0.2x as kretprobes too.
    list: (q) => (provider === 'kprobe' || q.dialect === '0.26' ? kernelFunctions(q).map((f) => ({ name: `${provider}:${f}` })) : []),
  };
}

export const kprobe = kernelProbe('kprobe');
export const kretprobe = kernelProbe('kretprobe');
