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
// The probe type says whether it has such a cheaper form (ProbeType.withoutArgs: which events have
// a raw tracepoint is the tracepoint module's knowledge); this pass only finds whether `args` is read.
// What still differs: a raw tracepoint fires before an event's TP_CONDITION (a few events declare
// one) and ignores tracefs event filters, as bpftrace's own raw tracepoints do.

import type { Expr } from '../ast';
import type { AnalyzedProbe, Analysis } from './checked-program';

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
  const lower = p.expanded.type.withoutArgs;
  if (!lower) return p;
  if (readsArgs(p.probe.predicate) || readsArgs(p.probe.body) || readsArgs(macros)) return p;
  const cheaper = lower(p.expanded);
  // The probe's type and its expansion stay one truth: both become the raw tracepoint's.
  return cheaper ? { ...p, type: cheaper.type, expanded: cheaper } : p;
}

export function lowerRawTracepoints(analysis: Analysis): void {
  analysis.probes = analysis.probes.map((p) => asRawTracepoint(p, analysis.program.macros));
}
