// What a generated program has declared so far, so every use is of something already assigned and
// of the type it was given: the generator only writes programs the language accepts.

import type { Rng } from './rng';

export type IntTy = { k: 'int'; bits: 8 | 16 | 32 | 64; signed: boolean };
export type StrTy = { k: 'str' };
export type TupTy = { k: 'tup'; els: ValTy[] };
export type ValTy = IntTy | StrTy | TupTy;

export const AGGS = ['count', 'sum', 'avg', 'min', 'max', 'stats', 'hist', 'lhist'] as const;
export type Agg = (typeof AGGS)[number];
/** The aggregations a probe may read back as one integer. */
export const READABLE_AGGS: readonly Agg[] = ['count', 'sum', 'avg', 'min', 'max'];

export interface MapInfo {
  name: string;
  /** Element types of the key (`@m[a, b]`), or a single tuple key, or null for `@m`. */
  key: ValTy[] | null;
  /** An aggregation keeps one argument type (sum of int32 and of uint64 are different maps). */
  value: { kind: 'plain'; ty: ValTy } | { kind: 'agg'; fn: Agg; arg: IntTy; bounds: string };
}

/** The kinds of probe a program uses; each decides which builtins and arguments exist. */
export type ProbeKind = 'BEGIN' | 'END' | 'interval' | 'tracepoint' | 'kprobe' | 'profile';

export class Scope {
  maps: MapInfo[] = [];
  /** Variables visible here, innermost block last. */
  blocks: Map<string, ValTy>[] = [];
  private counter = 0;
  /** Loops and unrolls we are inside; bounds how much code and verifier work nesting makes. */
  loopDepth = 0;
  probe: ProbeKind = 'BEGIN';

  constructor(readonly r: Rng) {}

  fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  enterProbe(kind: ProbeKind): void {
    this.probe = kind;
    this.blocks = [new Map()];
  }

  push(): void {
    this.blocks.push(new Map());
  }

  pop(): void {
    this.blocks.pop();
  }

  declare(name: string, ty: ValTy): void {
    this.blocks[this.blocks.length - 1]!.set(name, ty);
  }

  vars(pred: (t: ValTy) => boolean): [string, ValTy][] {
    const out: [string, ValTy][] = [];
    for (const b of this.blocks) for (const e of b) if (pred(e[1])) out.push(e);
    return out;
  }
}

export const sameTy = (a: ValTy, b: ValTy): boolean =>
  a.k === 'int' ? b.k === 'int' : a.k === 'str' ? b.k === 'str' : b.k === 'tup' && a.els.length === b.els.length && a.els.every((e, i) => sameTy(e, b.els[i]!));

export function randomIntTy(r: Rng): IntTy {
  return { k: 'int', bits: r.pick([8, 16, 32, 64] as const), signed: r.chance(0.5) };
}

export function randomValTy(r: Rng, depth = 0): ValTy {
  const n = r.int(10);
  if (n < 5) return randomIntTy(r);
  if (n < 8 || depth > 0) return { k: 'str' };
  const els: ValTy[] = [];
  for (let i = 0, len = 2 + r.int(2); i < len; i++) els.push(r.chance(0.2) ? randomValTy(r, depth + 1) : r.chance(0.6) ? randomIntTy(r) : { k: 'str' });
  return { k: 'tup', els };
}

export function castName(t: IntTy): string {
  return `${t.signed ? 'int' : 'uint'}${t.bits}`;
}
