// rawtracepoint:EVENT (and rawtracepoint:MODULE:EVENT): the tracepoint's raw arguments,
// untranslated, as arg0..argN (u64 each), and since bpftrace 0.21 as `args.NAME`, typed from the
// kernel's BTF. The kernel's own `btf_trace_EVENT` typedef has the prototype without parameter
// names, so, as bpftrace does, the names come from the event's stub function `__probestub_EVENT`
// (Linux 6.5+) or its iterator `__traceiter_EVENT`, whose first parameter (the tracepoint's private
// data) the program does not get. A raw
// tracepoint's context is that u64 array, laid out as a trampoline's (./kfunc.ts paramSlots).

import { error } from '../diagnostics';
import { Btf } from '../kernel/btf';
import type { BtfFunction } from '../kernel/btf-types';
import { readFormat } from '../kernel/tracefs';
import { listTracepoints } from '../kernel/tracefs';
import { argsFormat, paramSlots } from './kfunc';
import type { RawTracepointAttach } from './rawtracepoint.attach';
import type { ProbeType } from './types';

/** The event's probe prototype from BTF, without the private-data parameter; null without BTF. */
function eventPrototype(event: string): BtfFunction | null {
  const btf = Btf.vmlinux();
  const f = btf?.findFunc(`__probestub_${event}`) ?? btf?.findFunc(`__traceiter_${event}`);
  return f ? { ...f, name: event, params: f.params.slice(1) } : null;
}

export const rawtracepoint: ProbeType<RawTracepointAttach> = {
  name: 'rawtracepoint',
  aliases: ['rt'],
  addressSpace: 'kernel',
  context: () => 'raw_tp',
  maySendSignal: true,
  namedArgs: 'btf-params',
  expand(ap) {
    const name = ap.parts[ap.parts.length - 1];
    if (!name || ap.parts.length > 2) throw error(`rawtracepoint probe must be rawtracepoint:name, got ${ap.raw}`, ap.span);
    // bpftrace 0.21+ names the kernel (vmlinux) or a module before the event.
    const inKernel = ap.parts.length === 2 && ap.parts[0] === 'vmlinux';
    const known = listTracepoints().some((t) => t.endsWith(`:${name}`)) || (ap.parts.length === 2 && !inKernel && readFormat(ap.parts[0], name));
    if (!known) throw error(`raw tracepoint not found: ${name}`, ap.span, 'raw tracepoints have the names of tracepoints: bpfscript -l "tracepoint:*"');
    const proto = eventPrototype(name);
    const btf = Btf.vmlinux();
    const format = proto && btf ? argsFormat(name, paramSlots(btf, proto)) : undefined;
    return [{ name: `rawtracepoint:${name}`, section: `raw_tp/${name}`, attach: { name }, ap, ...(format ? { format } : {}) }];
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
