// Kernel symbols from /proc/kallsyms (addresses are real as root), read once and kept sorted, for
// ksym() and kstack.

import { readFileSync } from 'node:fs';
import { nearest, type ResolvedSymbol, type SymbolTable } from './table';

export class KernelSymbols {
  private constructor(private readonly table: SymbolTable) {}

  /** The symbol containing `addr` (the nearest one at or below it), or null. */
  resolve(addr: bigint): ResolvedSymbol | null {
    return nearest(this.table, addr);
  }

  /** The address of a kernel symbol by name, or null. */
  address(name: string): bigint | null {
    const i = this.table.names.indexOf(name);
    return i < 0 ? null : this.table.addrs[i];
  }

  get size(): number {
    return this.table.addrs.length;
  }

  static load(path = '/proc/kallsyms'): KernelSymbols {
    const rows: { addr: bigint; name: string; module?: string }[] = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      // "ffffffff81000000 T _stext" or "ffffffffc0a01000 t fn	[module]"
      const m = /^([0-9a-f]+) (\w) (\S+)(?:\s+\[(\S+)\])?/.exec(line);
      if (!m || !'TtWw'.includes(m[2])) continue;
      const addr = BigInt(`0x${m[1]}`);
      if (addr === 0n) continue;
      rows.push({ addr, name: m[3], module: m[4] });
    }
    rows.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    return new KernelSymbols({
      addrs: rows.map((r) => r.addr),
      names: rows.map((r) => r.name),
      sizes: null,
      modules: rows.map((r) => r.module),
    });
  }
}

let kernel: KernelSymbols | undefined;

/** The kernel's symbols, read from /proc/kallsyms on first use. */
export function kernelSymbols(): KernelSymbols {
  return (kernel ??= KernelSymbols.load());
}
