// Folded stacks as flame graph boxes: a tree of frames merged by name under their parent, laid
// out left to right in name order (not time order: a flame graph shows where time goes, and
// sorting puts equal frames of different chains next to each other), each box as wide as the
// weight below it. Units are weights; the SVG scales them to pixels.

import type { FoldedStack } from './folded';

export interface FrameBox {
  name: string;
  /** 0 is the root box ("all"). */
  depth: number;
  /** Weight to the left of the box, within the whole graph. */
  start: number;
  /** The box's weight: its own samples and its callees'. */
  weight: number;
  /** Weight of samples that ended in this frame. */
  self: number;
  /** A kernel frame (of a kstack key part). */
  kernel: boolean;
}

export interface FlameLayout {
  boxes: FrameBox[];
  total: number;
  maxDepth: number;
  /** Boxes left out as too narrow to see even zoomed far in; their weight stays in their parent. */
  pruned: number;
}

interface Node {
  name: string;
  weight: number;
  self: number;
  kernel: boolean;
  children: Map<string, Node>;
}

const node = (name: string, kernel = false): Node => ({ name, weight: 0, self: 0, kernel, children: new Map() });

/** More boxes than this make a browser crawl (and the file tens of megabytes). */
export const MAX_BOXES = 50_000;

/** The lightest weight kept: at least `min`, and high enough that at most `max` boxes remain. */
function threshold(root: Node, min: number, max: number): number {
  const weights: number[] = [];
  const work = [root];
  while (work.length) {
    const n = work.pop()!;
    if (n.weight < min) continue;
    weights.push(n.weight);
    for (const c of n.children.values()) work.push(c);
  }
  if (weights.length <= max) return min;
  // Ascending; the max-th heaviest is at length - max. A callee weighs no more than its caller,
  // so a weight threshold never keeps a box without its caller.
  const sorted = Float64Array.from(weights).sort();
  const kth = sorted[sorted.length - max];
  // Boxes as heavy as the max-th: all kept, unless that is too many; then none of them.
  let first = sorted.length - max;
  while (first > 0 && sorted[first - 1] === kth) first--;
  return Math.max(min, sorted.length - first > max ? kth * (1 + Number.EPSILON) : kth);
}

/**
 * Boxes lighter than `minFraction` of the total are dropped with their callees (their weight stays
 * in the caller), and so are the lightest beyond `maxBoxes`: this bounds the SVG on a profile of
 * many distinct stacks. A million-fold zoom is well past use.
 */
export function layoutFlame(stacks: readonly FoldedStack[], rootName = 'all', minFraction = 1e-6, maxBoxes = MAX_BOXES): FlameLayout {
  const root = node(rootName);
  for (const s of stacks) {
    const w = Number(s.weight);
    if (!(w > 0)) continue;
    let n = root;
    n.weight += w;
    const firstKernel = s.frames.length - (s.kernelFrames ?? 0);
    for (let i = 0; i < s.frames.length; i++) {
      const f = s.frames[i];
      let c = n.children.get(f);
      if (!c) n.children.set(f, (c = node(f, i >= firstKernel)));
      c.weight += w;
      n = c;
    }
    n.self += w;
  }
  const boxes: FrameBox[] = [];
  const min = threshold(root, root.weight * minFraction, maxBoxes);
  let maxDepth = 0;
  let pruned = 0;
  // Iterative, so a deep stack (1024 frames) cannot overflow the JS stack either.
  const work: { n: Node; depth: number; start: number }[] = [{ n: root, depth: 0, start: 0 }];
  while (work.length) {
    const { n, depth, start } = work.pop()!;
    boxes.push({ name: n.name, depth, start, weight: n.weight, self: n.self, kernel: n.kernel });
    if (depth > maxDepth) maxDepth = depth;
    let x = start;
    const kids = [...n.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const c of kids) {
      if (c.weight < min) pruned++;
      else work.push({ n: c, depth: depth + 1, start: x });
      x += c.weight;
    }
  }
  boxes.sort((a, b) => a.depth - b.depth || a.start - b.start);
  return { boxes, total: root.weight, maxDepth, pruned };
}
