// rawtracepoint:name: the tracepoint's raw arguments, untranslated, as arg0..argN (u64 each).

import { error, missingTarget } from '../diagnostics';
import { readFormat } from '../kernel/tracefs';
import { listTracepoints } from '../kernel/tracefs';
import type { RawTracepointAttach } from './rawtracepoint.attach';
import type { ProbeType } from './types';

export const rawtracepoint: ProbeType<RawTracepointAttach> = {
  name: 'rawtracepoint',
  aliases: ['rt'],
  addressSpace: 'kernel',
  context: () => 'raw_tp',
  maySendSignal: true,
  expand(ap) {
    const name = ap.parts[ap.parts.length - 1];
    if (!name || ap.parts.length > 2) throw error(`rawtracepoint probe must be rawtracepoint:name, got ${ap.raw}`, ap.span);
    const known = listTracepoints().some((t) => t.endsWith(`:${name}`)) || (ap.parts.length === 2 && readFormat(ap.parts[0], name));
    if (!known) throw missingTarget(`raw tracepoint not found: ${name}`, ap.span, 'raw tracepoints have the names of tracepoints: bpfscript -l "tracepoint:*"');
    return [{ name: `rawtracepoint:${name}`, section: `raw_tp/${name}`, attach: { name }, ap }];
  },
  args: {
    count: 12,
    read: (ctx, n) => ctx.b.load(ctx.i64, ctx.b.byteOffset(ctx.ctxArg, n * 8, ctx.i64)),
  },
};
