// A semantic pass after checking: tracepoint probes that never read `args` run as raw tracepoints
// (BPF_PROG_TYPE_RAW_TRACEPOINT). It changes both the probe's type and its expanded attach point,
// so code generation and the runtime see one rawtracepoint probe.
//
// A tracepoint program runs behind perf's trace-event glue, which first builds the event's record
// (every field, whether the program reads it or not); a raw_tp program is called straight from the
// tracepoint with the raw arguments. Measured on this machine (storm, getppid()): an empty program
// adds ~109 ns as a tracepoint and ~71 ns as raw_tp, and `@[comm] = count()` on
// raw_syscalls:sys_enter ~50 ns less as raw_tp (bench/RESULTS.md). A script that reads `args` keeps
// the tracepoint: the record is what args points at.
//
// Only events backed by a kernel tracepoint have a raw one, named by the event alone (sys_enter for
// raw_syscalls:sys_enter). The categories below are trace events without one: the syscalls:*
// events are synthesized by ftrace from sys_enter/sys_exit, and the rest are dynamic or internal.
// What still differs: a raw tracepoint fires before an event's TP_CONDITION (a few events declare
// one) and ignores tracefs event filters, as bpftrace's own raw tracepoints do.
// BPFSCRIPT_RAW_TP=0 keeps every tracepoint a tracepoint (part of the compile cache's key).

import type { Expr } from '../ast';
import { rawtracepoint } from '../probes/rawtracepoint';
import type { AnalyzedProbe, Analysis } from './analysis';

const NO_RAW_TRACEPOINT = new Set(['syscalls', 'kprobes', 'uprobes', 'synthetic', 'eprobes', 'ftrace', 'fprobes', 'tracepoints']);

/** Whether the probe's predicate or body mentions `args` anywhere (the AST is plain data). */
function readsArgs(node: unknown, seen = new Set<object>()): boolean {
  if (node === null || typeof node !== 'object' || seen.has(node)) return false;
  seen.add(node);
  const e = node as Partial<Expr> & { name?: unknown };
  if (e.kind === 'Builtin' && e.name === 'args') return true;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'span' || k === 'nameSpan') continue;
    if (readsArgs(v, seen)) return true;
  }
  return false;
}

/**
 * The probe as a raw tracepoint when that is equivalent, else the probe itself. `macros`: the
 * program's macro definitions; one that mentions `args` keeps every tracepoint (conservative).
 */
function asRawTracepoint(p: AnalyzedProbe, macros: unknown = []): AnalyzedProbe {
  const x = p.expanded;
  if (x.provider !== 'tracepoint' || process.env.BPFSCRIPT_RAW_TP === '0') return p;
  const category = String(x.attach.category ?? '');
  const name = String(x.attach.name ?? '');
  if (!name || NO_RAW_TRACEPOINT.has(category)) return p;
  if (readsArgs(p.probe.predicate) || readsArgs(p.probe.body) || readsArgs(macros)) return p;
  // Same name (what `probe` prints and "Attaching" counts), another section and attacher.
  return { ...p, type: rawtracepoint, expanded: { ...x, provider: 'rawtracepoint', section: `raw_tp/${name}`, attach: { name } } };
}

export function lowerRawTracepoints(analysis: Analysis): void {
  analysis.probes = analysis.probes.map((p) => asRawTracepoint(p, analysis.program.macros));
}
