// bpftrace 0.2x warns on the first statement after one that always leaves the block: a return,
// break or continue, an exit() (0.2x lowers it to a return), or an if whose branches both leave.
// The code still compiles; the warning says it never runs. Only under --compat 0.26, whose
// bpftrace says so: 0.17 said nothing.

import type { Block, Program, Stmt } from '../ast';
import type { Analysis } from './checked-program';

function leaves(s: Stmt): boolean {
  if (s.kind === 'Jump') return true;
  if (s.kind === 'ExprStmt') return s.expr.kind === 'Call' && s.expr.name === 'exit';
  if (s.kind === 'If') return s.else !== null && leavesBlock(s.then) && leavesBlock(s.else);
  return false;
}

const leavesBlock = (b: Block): boolean => b.stmts.some(leaves);

/** Every block of the program, nested ones included (an object walk, as the AST has many kinds). */
function blocks(node: unknown, out: Block[]): Block[] {
  if (!node || typeof node !== 'object') return out;
  if ((node as { kind?: string }).kind === 'Block') out.push(node as Block);
  for (const [k, v] of Object.entries(node)) {
    if (k === 'span') continue;
    if (Array.isArray(v)) for (const x of v) blocks(x, out);
    else blocks(v, out);
  }
  return out;
}

export function warnUnreachable(analysis: Analysis, program: Program): void {
  if (analysis.dialect !== '0.26') return;
  const warnings = [];
  for (const b of blocks(program.probes, [])) {
    const at = b.stmts.findIndex(leaves);
    if (at >= 0 && at + 1 < b.stmts.length) warnings.push({ severity: 'WARNING' as const, message: 'Unreachable statement.', span: b.stmts[at + 1].span });
  }
  if (warnings.length) analysis.warnings = [...(analysis.warnings ?? []), ...warnings];
}
