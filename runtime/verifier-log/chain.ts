// Walks the verifier's path backwards from the rejected instruction to the instructions that
// produced the offending register's value: its writer, the writer of what that read, and so on
// through registers and stack slots, until a value with an origin of its own (a constant, a helper's
// result, the context) is reached; with the tests of those registers the path passed.

import type { Step } from './parse';

const MAX_CHAIN = 8;

/** What an instruction writes and which values it reads, from its printed text. */
export interface Effect {
  writes?: string;
  /** Registers (r0…r10) and stack slots (fp-8) the written value comes from. */
  reads: string[];
}

const OP = '(?:=|[+\\-*/%&|^]=|<<=|>>=|s>>=)';
const MEM = /\*\((?:u|s)(?:8|16|32|64) \*\)\((r\d+) ([+-]\d+)\)/;

/** The base register and offset of a memory operand, e.g. `*(u64 *)(r0 +8)` → r0, 8. */
export function memOperand(text: string): { base: string; off: number } | undefined {
  const m = MEM.exec(text);
  return m ? { base: m[1], off: Number(m[2]) } : undefined;
}

export function effect(text: string): Effect {
  if (/^call /.test(text)) return { writes: 'r0', reads: [] };
  // A store: the slot it writes, when it is on the stack.
  let m = /^\*\((?:u|s)\d+ \*\)\((r\d+) ([+-]\d+)\) = (r\d+|-?\w+)$/.exec(text);
  if (m) return m[1] === 'r10' ? { writes: `fp${Number(m[2])}`, reads: /^r\d+$/.test(m[3]) ? [m[3]] : [] } : { reads: [] };
  m = new RegExp(`^[rw](\\d+) (${OP}) (.*)$`).exec(text);
  if (!m) return { reads: [] };
  const dst = `r${m[1]}`;
  const rhs = m[3];
  const reads: string[] = m[2] === '=' ? [] : [dst];
  const mem = memOperand(rhs);
  if (mem) {
    reads.push(mem.base === 'r10' ? `fp${mem.off}` : mem.base);
  } else {
    for (const r of rhs.match(/\b[rw]\d+\b/g) ?? []) reads.push(`r${r.slice(1)}`);
  }
  return { writes: dst, reads: reads.filter((r) => r !== 'r10' || rhs === 'r10') };
}

/**
 * The steps that produced `reg` at step `at` of the walk, oldest first, ending with the step at
 * `at`. Follows the walk's own path (through the branches it took), not the program's layout.
 */
export function producers(steps: Step[], at: number, reg: string | undefined): Step[] {
  const chosen = new Set<number>([at]);
  const wanted = reg ? [reg.toLowerCase()] : [];
  let cur = steps[at]?.prev ?? -1;
  while (wanted.length && cur >= 0 && chosen.size < MAX_CHAIN) {
    const e = effect(steps[cur].text);
    // A test of a wanted register on the path is what the verifier learnt the value's bounds (or
    // NULL-ness) from: shown, but the value still comes from further back.
    const tested = /^if ([rw]\d+) /.exec(steps[cur].text);
    if (tested && wanted.includes(`r${tested[1].slice(1)}`)) chosen.add(cur);
    const hit = e.writes ? wanted.indexOf(e.writes) : -1;
    if (hit >= 0) {
      wanted.splice(hit, 1);
      chosen.add(cur);
      for (const r of e.reads) if (!wanted.includes(r) && r !== 'r10') wanted.push(r);
    }
    cur = steps[cur].prev;
  }
  return [...chosen].sort((a, b) => a - b).map((i) => steps[i]);
}
