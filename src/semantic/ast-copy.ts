// A deep copy of AST nodes with a hook per node, for passes that rewrite the tree (macro
// expansion). It walks fields generically, so node kinds added later are copied without a change
// here. A node reached twice (a `?:`'s condition is also its `then`) is copied once, and stays shared.

import type { Span } from '../ast';

export type AnyNode = { kind: string; span: Span } & Record<string, unknown>;

/** Returns the node's replacement, or undefined to copy it field by field. `copy` copies a child. */
export type CopyHook = (node: AnyNode, copy: <T>(child: T) => T) => unknown;

function isSpan(v: object): v is Span {
  return !('kind' in v) && 'file' in v && 'start' in v && 'endCol' in v;
}

/** Copies `root`; `span` maps every span on the way (the node's own and its name/field spans). */
export function copyTree<T>(root: T, hook: CopyHook | null, span: (s: Span) => Span = (s) => s): T {
  const memo = new Map<object, unknown>();
  const copy = <U>(v: U): U => {
    if (Array.isArray(v)) return v.map(copy) as U;
    if (v === null || typeof v !== 'object') return v;
    if (isSpan(v)) return span(v) as U;
    if (memo.has(v)) return memo.get(v) as U;
    if (hook && 'kind' in v) {
      const r = hook(v as unknown as AnyNode, copy);
      if (r !== undefined) {
        memo.set(v, r);
        return r as U;
      }
    }
    const out: Record<string, unknown> = {};
    memo.set(v, out);
    for (const [k, x] of Object.entries(v)) out[k] = copy(x);
    return out as U;
  };
  return copy(root);
}

/** Whether any node under `root` satisfies `test` (a cheap look before a copy). */
export function someNode(root: unknown, test: (n: AnyNode) => boolean): boolean {
  const seen = new Set<object>();
  const walk = (v: unknown): boolean => {
    if (Array.isArray(v)) return v.some(walk);
    if (v === null || typeof v !== 'object' || seen.has(v) || isSpan(v)) return false;
    seen.add(v);
    if ('kind' in v && test(v as AnyNode)) return true;
    return Object.values(v).some(walk);
  };
  return walk(root);
}

/** The span from the start of `a` to the end of `b`. */
export function joinSpans(a: Span, b: Span): Span {
  return { file: a.file, start: a.start, end: b.end, line: a.line, col: a.col, endLine: b.endLine, endCol: b.endCol };
}
