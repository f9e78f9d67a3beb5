// tracepoint:CATEGORY:EVENT: the event's record (its tracefs format) is `args`. A program that reads
// no field of `args`, or only fields its raw arguments carry unchanged (./tracepoint-raw-fields.ts),
// runs as the event's raw tracepoint where it has one (see withoutArgs below).

import type { AttachPoint } from '../ast';
import { error, missingTarget } from '../../common/diagnostics';
import { listTracepoints, readFormat, tracefsMissing, tracefsRoot } from '../../common/kernel/tracefs';
import { didYouMean, withSuggestion } from '../suggest';
import { rawtracepoint } from './rawtracepoint';
import { rawFieldsFormat } from './tracepoint-raw-fields';
import type { TracepointAttach } from './tracepoint.attach';
import { bindProbe, type ProbeSite, type ProbeType } from './types';
import { wildcardRegex } from '../../common/wildcard';

/**
 * Trace-event categories without kernel tracepoints behind them, so without raw tracepoints: the
 * syscalls:* events are synthesized by ftrace from sys_enter/sys_exit, the rest are dynamic or
 * internal.
 */
const NO_RAW_TRACEPOINT = new Set(['syscalls', 'kprobes', 'uprobes', 'synthetic', 'eprobes', 'ftrace', 'fprobes', 'tracepoints']);

/** Near misses from tracefs: within the category when it exists (the usual slip is in the event). */
function nearTracepoints(category: string, name: string): string | undefined {
  const all = listTracepoints();
  const inCategory = all.filter((t) => t.startsWith(`${category}:`));
  const near = inCategory.length > 0
    ? didYouMean(name, inCategory.map((t) => t.slice(category.length + 1)), (n) => `tracepoint:${category}:${n}`)
    : didYouMean(`${category}:${name}`, all, (t) => `tracepoint:${t}`);
  return near;
}

function expandOne(ap: AttachPoint, category: string, name: string): ProbeSite<TracepointAttach> {
  const format = readFormat(category, name);
  if (!format) {
    throw missingTarget(
      `tracepoint not found: ${category}:${name}`,
      ap.span,
      tracefsRoot()
        ? withSuggestion(nearTracepoints(category, name), 'list tracepoints with: bpfscript -l "tracepoint:*"')
        : tracefsMissing(),
    );
  }
  return {
    name: `tracepoint:${category}:${name}`,
    section: `tracepoint/${category}/${name}`,
    attach: { category, name },
    format,
    ap,
  };
}

export const tracepoint: ProbeType<TracepointAttach> = {
  examples: [{ script: 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @ = count(); }', args: ['-c', '/bin/bash -c true'], output: /^\n\n@: \d+\n$/, sameAs017: true }],
  name: 'tracepoint',
  aliases: ['t'],
  addressSpace: 'kernel',
  context: () => 'tracepoint',
  namedArgs: 'tracepoint-fields',
  maySendSignal: true,
  expand(ap) {
    if (ap.parts.length !== 2 || !ap.parts[0] || !ap.parts[1]) {
      throw error(`tracepoint probe must be tracepoint:category:event, got ${ap.raw}`, ap.span);
    }
    const [category, name] = ap.parts;
    if (!/[*?]/.test(category + name)) return [expandOne(ap, category, name)];
    const re = wildcardRegex(`${category}:${name}`);
    const matches = listTracepoints().filter((t) => re.test(t));
    if (matches.length === 0) throw missingTarget(`no tracepoint matches ${category}:${name}`, ap.span);
    return matches.map((m) => {
      const [c, n] = m.split(':');
      return expandOne(ap, c, n);
    });
  },
  argsType(p) {
    return { kind: 'args', probe: p.name };
  },
  // Pointer fields of syscall tracepoints are the syscall's own arguments: user memory.
  argsPointerSpace: (p) => (p.attach.category === 'syscalls' ? 'user' : 'kernel'),
  // Same name (what `probe` prints and "Attaching" counts), another section and attacher.
  // BPFSCRIPT_RAW_TP=0 keeps every tracepoint a tracepoint (part of the compile cache's key).
  withoutArgs(p, fields = new Set()) {
    const { category, name } = p.attach;
    if (process.env.BPFSCRIPT_RAW_TP === '0' || !name || NO_RAW_TRACEPOINT.has(category)) return null;
    const raw = bindProbe(rawtracepoint, { ...p, section: `raw_tp/${name}`, attach: { name } });
    const format = rawFieldsFormat(p, rawtracepoint, raw, fields);
    return format ? { ...raw, format } : null;
  },
};
