// rawtracepoint:EVENT (and rawtracepoint:MODULE:EVENT): the tracepoint's raw arguments,
// untranslated, as arg0..argN (u64 each), and since bpftrace 0.21 as `args.NAME`, typed from the
// kernel's BTF. The kernel's own `btf_trace_EVENT` typedef has the prototype without parameter
// names, so, as bpftrace does, the names come from the event's stub function `__probestub_EVENT`
// (Linux 6.5+) or its iterator `__traceiter_EVENT`, whose first parameter (the tracepoint's private
// data) the program does not get. A raw
// tracepoint's context is that u64 array, laid out as a trampoline's (./kfunc.ts paramSlots).

import { error, missingTarget } from '../../common/diagnostics';
import { Btf } from '../../common/kernel/btf';
import type { BtfFunction } from '../../common/kernel/btf-types';
import { readFormat } from '../../common/kernel/tracefs';
import { listTracepoints } from '../../common/kernel/tracefs';
import { argsFormat, paramSlots } from './kfunc';
import type { RawTracepointAttach } from './rawtracepoint.attach';
import type { ProbeSite, ProbeType } from './types';
import { wildcardRegex } from '../../common/wildcard';

/** The event's probe prototype from BTF, without the private-data parameter; null without BTF. */
function eventPrototype(event: string): BtfFunction | null {
  const btf = Btf.vmlinux();
  const f = btf?.findFunc(`__probestub_${event}`) ?? btf?.findFunc(`__traceiter_${event}`);
  return f ? { ...f, name: event, params: f.params.slice(1) } : null;
}

export const rawtracepoint: ProbeType<RawTracepointAttach> = {
  examples: [{ script: 'rawtracepoint:sys_enter /pid == cpid/ { @ = 1; }', args: ['-c', '/bin/true'], output: '\n\n@: 1\n' }],
  name: 'rawtracepoint',
  aliases: ['rt'],
  addressSpace: 'kernel',
  context: () => 'raw_tp',
  maySendSignal: true,
  namedArgs: 'btf-params',
  expand(ap) {
    const name = ap.parts[ap.parts.length - 1];
    if (!name || ap.parts.length > 2) throw error(`rawtracepoint probe must be rawtracepoint:name, got ${ap.raw}`, ap.span);
    const site = (event: string): ProbeSite<RawTracepointAttach> => {
      const proto = eventPrototype(event);
      const btf = Btf.vmlinux();
      const format = proto && btf ? argsFormat(event, paramSlots(btf, proto)) : undefined;
      return { name: `rawtracepoint:${event}`, section: `raw_tp/${event}`, attach: { name: event }, ap, ...(format ? { format } : {}) };
    };
    // bpftrace 0.21+ names the kernel (vmlinux, or a glob matching it) before the event, and
    // expands wildcards in the event over the tracepoints' names.
    const module = ap.parts.length === 2 ? ap.parts[0] : undefined;
    const inKernel = module !== undefined && wildcardRegex(module).test('vmlinux');
    if (/[*?]/.test(name) || (module !== undefined && /[*?]/.test(module))) {
      const re = wildcardRegex(name);
      // Only events with a raw tracepoint of their own: the per-syscall tracepoints
      // (syscalls:sys_enter_*) are perf events over raw_syscalls's, with no btf_trace_ typedef.
      const btf = Btf.vmlinux();
      const own = (e: string) => !btf || btf.findTypedef(`btf_trace_${e}`) !== null;
      const events = inKernel || module === undefined ? [...new Set(listTracepoints().map((t) => t.split(':')[1]))].filter((e) => re.test(e) && own(e)).sort() : [];
      if (!events.length) throw missingTarget(`No matches for rawtracepoint ${module !== undefined ? `${module}:` : ''}${name}`, ap.span, 'raw tracepoints have the names of tracepoints: bpfscript -l "rawtracepoint:*"');
      return events.map(site);
    }
    // A module other than the kernel must have the event itself.
    const known = module !== undefined && !inKernel ? !!readFormat(module, name) : listTracepoints().some((t) => t.endsWith(`:${name}`));
    if (!known) throw missingTarget(`raw tracepoint not found: ${module !== undefined && !inKernel ? `${module}:` : ''}${name}`, ap.span, 'raw tracepoints have the names of tracepoints: bpfscript -l "tracepoint:*"');
    return [site(name)];
  },
  argsType(p) {
    return p.format ? { kind: 'args', probe: p.name } : null;
  },
  paramsOf: (p) => eventPrototype(p.attach.name),
  args: {
    count: 12,
    read: (ctx, n) => ctx.b.load(ctx.i64, ctx.b.byteOffset(ctx.ctxArg, n * 8, ctx.i64)),
  },
};
