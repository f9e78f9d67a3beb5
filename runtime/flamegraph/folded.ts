// Maps keyed by kstack/ustack as folded stacks: one line per distinct call chain,
// `frame;frame;frame weight`, root first, the format flamegraph tools, speedscope and Pyroscope
// read. The stack key arrives already symbolised as the stack format prints it (src/functions/
// stack.ts), whose format also gives its frames back (ValueFormat.stack), offsets dropped, so
// that samples at different places in one function add up in one frame.
//
// Key parts that are not stacks (comm, pid …) become leading frames, in key order; then the user
// stack and then the kernel stack, so that a chain reads from the process's root to the kernel
// leaf as perf's call chains do. The weight is the number the text format sorts the map by
// (count's count, sum's sum, a plain integer itself, hist's total); maps of other values are not
// foldable.

import { formatOf, type MapData, type MapValue, type ValueFormat } from '../../src/functions';
import type { Type, Value } from '../../common/types';
import { aggregationOf } from '../format/maps';
import { formatKeyPart, keyParts, normalizeInt } from '../format/values';

export interface FoldedStack {
  /** Root first. */
  frames: string[];
  weight: bigint;
  /** How many of the last frames are the kernel's (a flame graph colours them apart). */
  kernelFrames?: number;
}

/** Stands for a frame whose address no symbol covers. */
export const UNKNOWN = '[unknown]';
/** Stands for a stack that could not be captured (no user stack in a kernel thread). */
export const NO_STACK = '[missing stack]';

function stackOf(t: Type): ValueFormat['stack'] {
  return formatOf(t)?.stack;
}

/** Whether any part of the map's key is a kstack or ustack. */
export function isStackKeyed(map: MapData): boolean {
  return (keyParts(map.keyType) ?? []).some((p) => stackOf(p) !== undefined);
}

/** How an entry's value weighs, or null when the map's values are not numbers. */
function weigher(vt: Type): ((v: MapValue) => bigint) | null {
  if (vt.kind === 'int') return (v) => normalizeInt(v as bigint, vt.bits, vt.signed);
  const agg = aggregationOf(vt);
  if (agg && vt.kind === 'agg') return (v) => agg.sortKey(v as never, vt);
  return null;
}

/** A frame's text safe for the folded format: ';' separates frames, a line holds one chain. */
function cleanFrame(s: string): string {
  return s.replace(/;/g, ':').replace(/[\r\n]+/g, ' ');
}

/** The folded stacks of one map, or null when it is not keyed by a stack or its values don't weigh. */
export function foldMap(map: MapData): FoldedStack[] | null {
  const parts = keyParts(map.keyType);
  const weigh = weigher(map.valueType);
  if (!parts || !weigh || !isStackKeyed(map)) return null;
  const out: FoldedStack[] = [];
  for (const e of map.entries) {
    const key = e.key ?? [];
    const lead: string[] = [];
    const user: string[] = [];
    const kernel: string[] = [];
    parts.forEach((p, i) => {
      const stack = stackOf(p);
      const v = key[i] as Value;
      if (!stack || p.kind !== 'string') lead.push(cleanFrame(formatKeyPart(p, v)));
      // Root first; an address no symbol covers differs from process to process (ASLR): as
      // perf's "[unknown]" such frames merge, where they would split every process's tower apart.
      else (stack.user ? user : kernel).push(...stack.frames(v, p).reverse().map((f) => (f === null ? UNKNOWN : cleanFrame(f))));
    });
    const frames = [...lead, ...user, ...kernel];
    if (user.length + kernel.length === 0) frames.push(NO_STACK);
    out.push({ frames, weight: weigh(e.value), kernelFrames: kernel.length });
  }
  return out;
}

/** Equal chains added up (two processes' stacks, offsets dropped), in byte order of the chain. */
export function mergeFolded(stacks: readonly FoldedStack[]): FoldedStack[] {
  const byChain = new Map<string, FoldedStack>();
  for (const s of stacks) {
    if (s.weight <= 0n) continue;
    const chain = s.frames.join(';');
    const seen = byChain.get(chain);
    if (seen) seen.weight += s.weight;
    else byChain.set(chain, { ...s });
  }
  return [...byChain.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}

/** The folded lines: `frame;frame weight\n` each. Zero and negative weights are left out. */
export function foldedText(stacks: readonly FoldedStack[]): string {
  let out = '';
  for (const s of mergeFolded(stacks)) out += `${s.frames.join(';')} ${s.weight}\n`;
  return out;
}

/**
 * Every foldable map's stacks, for a flame graph: with several maps each one's chains start with
 * the map's name, so they stay apart. `skipped` gets the maps that had to be left out.
 */
export function foldMaps(maps: readonly MapData[], skipped: (map: MapData) => void = () => {}): FoldedStack[] {
  const folded: { name: string; stacks: FoldedStack[] }[] = [];
  for (const m of maps) {
    const stacks = foldMap(m);
    if (stacks) folded.push({ name: m.name, stacks });
    else skipped(m);
  }
  if (folded.length === 1) return folded[0].stacks;
  return folded.flatMap((f) => f.stacks.map((s) => ({ ...s, frames: [f.name, ...s.frames] })));
}
