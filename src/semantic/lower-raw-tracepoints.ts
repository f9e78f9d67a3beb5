// A semantic pass after checking: tracepoint probes run as raw tracepoints
// (BPF_PROG_TYPE_RAW_TRACEPOINT) when they read no field of `args`, or only fields that the raw
// tracepoint's arguments carry unchanged (which ones is the probe type's knowledge:
// src/probes/tracepoint-raw-fields.ts). It changes the probe's type, its expanded attach point and
// where each `args->field` is read from, so code generation and the runtime see one rawtracepoint
// probe reading its u64 arguments.
//
// A tracepoint program runs behind perf's trace-event glue, which first builds the event's record
// (every field, whether the program reads it or not); a raw_tp program is called straight from the
// tracepoint with the raw arguments. Measured on this machine (storm, getppid()): an empty program
// adds ~109 ns as a tracepoint and ~71 ns as raw_tp, and `@[comm] = count()` on
// raw_syscalls:sys_enter ~50 ns less as raw_tp (bench/RESULTS.md). A script that uses `args` other
// than to read a field, or reads a field the event computes, keeps the tracepoint.
//
// What still differs: a raw tracepoint fires before an event's TP_CONDITION (a few events declare
// one) and ignores tracefs event filters, as bpftrace's own raw tracepoints do.

import type { Expr, FieldAccess } from '../ast';
import type { TracepointField } from '../../common/kernel/tracefs';
import type { Type } from '../../common/types';
import type { AnalyzedProbe, Analysis } from './checked-program';

/**
 * The fields of `args` that the predicate or body reads, or null when it uses `args` other than to
 * read a field (the AST is plain data).
 */
function fieldsRead(node: unknown, out: Set<string>, seen = new Set<object>()): Set<string> | null {
  if (node === null || typeof node !== 'object' || seen.has(node)) return out;
  seen.add(node);
  const e = node as Partial<Expr> & { name?: unknown };
  if (e.kind === 'FieldAccess') {
    const t = (e as FieldAccess).target as Partial<Expr> & { name?: unknown };
    if (t.kind === 'Builtin' && t.name === 'args') {
      out.add((e as FieldAccess).field);
      return out;
    }
  }
  if (e.kind === 'Builtin' && e.name === 'args') return null;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'span' || k === 'nameSpan') continue;
    if (fieldsRead(v, out, seen) === null) return null;
  }
  return out;
}

/**
 * The probe as a raw tracepoint when that is equivalent, else the probe itself. `macros`: the
 * program's macro definitions; one that mentions `args` keeps every tracepoint (conservative).
 */
function asRawTracepoint(p: AnalyzedProbe, macros: unknown = []): AnalyzedProbe {
  const lower = p.expanded.type.withoutArgs;
  if (!lower) return p;
  const fields = new Set<string>();
  if (fieldsRead(p.probe.predicate, fields) === null || fieldsRead(p.probe.body, fields) === null) return p;
  if (fieldsRead(macros, new Set())?.size !== 0) return p;
  const cheaper = lower(p.expanded, fields);
  if (!cheaper) return p;
  // Each `args->field` now reads the raw argument the lowered probe's format puts in its place.
  const argFields = new Map<FieldAccess, { field: TracepointField; type: Type }>();
  for (const [node, read] of p.argFields) {
    const field = cheaper.format?.fields.find((f) => f.name === read.field.name);
    if (!field) return p;
    argFields.set(node, { field, type: read.type });
  }
  // The probe's type and its expansion stay one truth: both become the raw tracepoint's.
  return { ...p, type: cheaper.type, expanded: cheaper, argFields };
}

export function lowerRawTracepoints(analysis: Analysis): void {
  analysis.probes = analysis.probes.map((p) => asRawTracepoint(p, analysis.program.macros));
}
