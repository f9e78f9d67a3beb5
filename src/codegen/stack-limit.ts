// LLVM's BPF backend refuses a function whose frame passes 512 bytes with one generic line per
// offending instruction ("stdin:1:144: in function probe_0 …: Looks like the BPF stack limit of
// 512 bytes is exceeded …"). Codegen keeps its own slots under a budget (larger values go to
// per-CPU scratch maps), so what overflows is LLVM's spilling of values kept alive across helper
// calls. The lines do carry the debug location of the spilling instruction, so the diagnostic
// here points at the statement holding it, in the script's terms.

import type { Probe, Span } from '../ast';
import { BpfscriptError, type Diagnostic } from '../../common/diagnostics';
import type { Analysis } from '../semantic/checked-program';

const STACK_LIMIT = /BPF stack limit of (\d+) bytes is exceeded/;
const LOCATION = /^(.*?):(\d+):(\d+): in function (\w+)\b/gm;

/** The diagnostic for a backend stack-limit refusal, or null when `message` is another error. */
export function stackLimitError(message: string, a: Analysis): BpfscriptError | null {
  const limit = STACK_LIMIT.exec(message)?.[1];
  if (!limit) return null;
  const byFunction = new Map<string, { line: number; col: number }[]>();
  for (const m of message.matchAll(LOCATION)) {
    const list = byFunction.get(m[4]) ?? [];
    list.push({ line: Number(m[2]), col: Number(m[3]) });
    byFunction.set(m[4], list);
  }
  const diags: Diagnostic[] = [];
  const seen = new Set<Probe>();
  for (const [fn, locs] of byFunction) {
    const p = a.probes.find((x) => x.progName === fn);
    if (!p || seen.has(p.probe)) continue;
    seen.add(p.probe);
    // The probe's own first location is its prologue; a location inside a statement names it.
    const stmt = locs.map((l) => statementAt(p.probe, l.line, l.col)).find((s) => s !== null) ?? null;
    diags.push({
      severity: 'ERROR',
      message: stmt
        ? `this statement needs more than the ${limit} bytes of BPF stack a probe may use`
        : `probe ${p.expanded.name} needs more than the ${limit} bytes of BPF stack a probe may use`,
      span: stmt ?? p.probe.attachPoints[0]?.span ?? p.probe.span,
      hint: 'too many values are alive across helper calls here (deeply nested expressions, many keys); compute parts into $variables or split the work over several statements or probes',
    });
  }
  if (!diags.length) diags.push({ severity: 'ERROR', message: `a probe needs more than the ${limit} bytes of BPF stack a probe may use` });
  return new BpfscriptError(diags);
}

/** The innermost statement of `probe` whose span holds line:col, or null. */
function statementAt(probe: Probe, line: number, col: number): Span | null {
  let best: Span | null = null;
  const holds = (s: Span) =>
    (line > s.line || (line === s.line && col >= s.col)) && (line < s.endLine || (line === s.endLine && col <= s.endCol));
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const n = node as { kind?: string; span?: Span; stmts?: unknown };
    if (n.span && n.kind && n.kind !== 'Block' && n.kind !== 'Probe' && isStatement(n.kind) && holds(n.span)) best = n.span;
    for (const [k, v] of Object.entries(n)) if (k !== 'span' && typeof v === 'object') visit(v);
  };
  visit(probe.body);
  return best;
}

const STATEMENTS = new Set(['ExprStmt', 'AssignMap', 'AssignVar', 'If', 'While', 'Unroll', 'Jump', 'For', 'Let']);

function isStatement(kind: string): boolean {
  return STATEMENTS.has(kind);
}
