// Symbol tables of an ELF file (.symtab, else .dynsym, or both merged): the function symbols that
// uprobes attach to and that user stacks are resolved against.

import { ElfFile, SHT_DYNSYM, SHT_SYMTAB, STT_FUNC } from './elf';

export interface ElfSymbol {
  name: string;
  /** Virtual address (st_value). */
  addr: bigint;
  size: number;
  /** STT_* */
  type: number;
}

export const STT_OBJECT = 1;
export { STT_FUNC };
export const STT_GNU_IFUNC = 10;
const SHN_UNDEF = 0;

const cache = new WeakMap<ElfFile, ElfSymbol[]>();

/** Every defined symbol with an address, from both tables, deduplicated by name and address. */
export function elfSymbols(elf: ElfFile): ElfSymbol[] {
  const hit = cache.get(elf);
  if (hit) return hit;
  const seen = new Set<string>();
  const out: ElfSymbol[] = [];
  for (const sec of elf.sections) {
    if (sec.type !== SHT_SYMTAB && sec.type !== SHT_DYNSYM) continue;
    for (const s of elf.symbolTable(sec)) {
      if (s.section === SHN_UNDEF || s.value === 0n) continue;
      // Versioned names from .symtab (memcpy@@GLIBC_2.14) are attached to by their base name.
      const at = s.name.indexOf('@');
      const name = at > 0 ? s.name.slice(0, at) : s.name;
      if (!name) continue;
      const key = `${name}@${s.value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ name, addr: s.value, size: s.size, type: s.type });
    }
  }
  cache.set(elf, out);
  return out;
}

/** Function symbols (what uprobes attach to and `-l uprobe:BIN:*` lists). */
export function functionSymbols(elf: ElfFile): ElfSymbol[] {
  return elfSymbols(elf).filter((s) => s.type === STT_FUNC || s.type === STT_GNU_IFUNC);
}

/** The closest names to `name` by edit distance, for a did-you-mean hint. */
export function closestNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const scored: [number, string][] = [];
  const limit = Math.max(2, Math.floor(name.length / 3));
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) > limit) continue;
    const d = editDistance(name, c, limit);
    if (d <= limit) scored.push([d, c]);
  }
  return [...new Set(scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1])).map((s) => s[1]))].slice(0, max);
}

/** Levenshtein distance, giving up (returning limit + 1) once every path exceeds `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]);
    }
    if (best > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length];
}
