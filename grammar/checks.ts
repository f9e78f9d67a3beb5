// Rules about a parsed program that depend on where a node sits, which the grammar cannot see
// while it builds the node: a `{ … }` block yields a value only when it ends in an expression
// without ';', and that matters only where a value is wanted (not as a statement of its own).

import type * as A from '../src/ast';
import type { SemanticSyntaxError } from './parser-base';

export function checkPlacement(program: A.Program): SemanticSyntaxError[] {
  const out: SemanticSyntaxError[] = [];
  visit(program, null, out);
  return out;
}

function visit(node: unknown, parent: { kind: string } | null, out: SemanticSyntaxError[]): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const n of node) visit(n, parent, out);
    return;
  }
  const n = node as { kind?: string; span?: A.Span };
  if (typeof n.kind !== 'string') return;
  if (n.kind === 'BlockExpr' && (n as A.BlockExpr).value === null && parent?.kind !== 'ExprStmt') {
    out.push({ message: "a block used as a value must end with an expression and no ';'", span: n.span! });
  }
  for (const [k, v] of Object.entries(n)) if (k !== 'span' && k !== 'kind') visit(v, n as { kind: string }, out);
}
