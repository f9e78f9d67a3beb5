// A symbol table sorted by address, searched by binary search: the nearest symbol at or below an
// address, within its size when sizes are known.

export interface ResolvedSymbol {
  name: string;
  /** Bytes from the symbol's start to the address. */
  offset: number;
  /** Kernel module, for kernel symbols in modules. */
  module?: string;
  /** Path of the ELF object, for user symbols. */
  object?: string;
}

export interface SymbolTable {
  addrs: bigint[];
  names: string[];
  /** Sizes from ELF (a symbol of size 0 covers no address); null for kallsyms, which has none. */
  sizes: number[] | null;
  modules?: (string | undefined)[];
}

export function nearest(t: SymbolTable, addr: bigint): ResolvedSymbol | null {
  let lo = 0;
  let hi = t.addrs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t.addrs[mid] <= addr) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return null;
  const offset = Number(addr - t.addrs[found]);
  // With sizes, an address past the end of its nearest symbol belongs to none (padding, PLT …);
  // symbols sharing the address are searched for one that covers it. A symbol of size 0 (crt
  // helpers such as __do_global_dtors_aux) covers nothing, not even its own address: bcc, which
  // bpftrace 0.17 resolves with, prints 0x… there.
  if (t.sizes) {
    for (let i = found; i >= 0 && t.addrs[i] === t.addrs[found]; i--) {
      if (offset < t.sizes[i]) return { name: t.names[i], offset };
    }
    return null;
  }
  const module = t.modules?.[found];
  return module ? { name: t.names[found], offset, module } : { name: t.names[found], offset };
}
