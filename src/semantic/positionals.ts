// Positional parameters ($1 … $N, $#) are the command-line arguments after the script, fixed for a
// compile, so they are inlined as literals before type checking, as bpftrace treats them: a
// numeric argument is an integer literal wherever one is required (strncmp's length, lhist's
// bounds, unroll counts); `str($N)` is the argument's text as a string literal whatever it looks
// like. A non-numeric `$N` used on its own stays a Positional and is typed as a string (`str($N +
// K)`, pointer arithmetic on that literal, is the str() module's).

import type { Expr, Program, StrLit } from '../ast';

/** A positional argument as bpftrace reads numbers: decimal, 0x hex, 0 octal; else null. */
export function parseIntArg(s: string): bigint | null {
  if (!/^-?(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(s)) return null;
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  const v = /^0[0-7]+$/.test(body) ? BigInt(`0o${body.slice(1)}`) : BigInt(body);
  return neg ? -v : v;
}

/** `$N` as the first argument of str(): its text (an artifact reads it at load, see textPositionals). */
function isTextUse(call: Expr): number | null {
  if (call.kind !== 'Call' || call.name !== 'str') return null;
  const src = call.args[0];
  return src?.kind === 'Positional' && !src.count ? src.index : null;
}

/**
 * For an artifact: the N of the `$N` read as numbers in the program's probes, and the N read as
 * text (`str($N)`).
 */
export function loadTimeUses(program: Program): { numbers: number[]; texts: number[] } {
  const numbers = new Set<number>();
  const texts = new Set<number>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const e = node as Expr;
    const text = isTextUse(e);
    if (text !== null) texts.add(text);
    if (e.kind === 'Positional' && !e.count) numbers.add(e.index);
    for (const [k, v] of Object.entries(node)) {
      // The text use's own $N is not a number.
      if (k === 'args' && text !== null) visit((v as Expr[]).slice(1));
      else if (k !== 'span' && v && typeof v === 'object') visit(v);
    }
  };
  visit(program.probes);
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { numbers: sorted(numbers), texts: sorted(texts) };
}

export function inlinePositionals(program: Program, positionals: readonly string[]): void {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = visit(node[i]);
      return node;
    }
    if (!node || typeof node !== 'object') return node;
    const replaced = literalFor(node as Expr, positionals);
    if (replaced) return replaced;
    for (const [k, v] of Object.entries(node)) if (k !== 'span' && v && typeof v === 'object') (node as Record<string, unknown>)[k] = visit(v);
    return node;
  };
  for (const p of program.probes) visit(p);
}

function literalFor(e: Expr, positionals: readonly string[]): Expr | null {
  if (e.kind === 'Positional') {
    if (e.count) return { kind: 'IntLit', value: BigInt(positionals.length), span: e.span };
    const arg = positionals[e.index - 1];
    const n = arg === undefined ? 0n : parseIntArg(arg);
    return n === null ? null : { kind: 'IntLit', value: n, raw: arg, span: e.span };
  }
  if (e.kind === 'Call' && e.name === 'str' && e.args.length >= 1 && e.args.length <= 2) {
    const [src, len] = e.args;
    if (src.kind !== 'Positional' || src.count || (len && len.kind !== 'IntLit')) return null;
    const text = positionals[src.index - 1] ?? '';
    const lit: StrLit = { kind: 'StrLit', value: len?.kind === 'IntLit' ? text.slice(0, Number(len.value)) : text, span: e.span };
    return lit;
  }
  return null;
}
