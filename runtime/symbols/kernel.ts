// Kernel symbols from /proc/kallsyms (addresses are real as root), read once and kept sorted, for
// ksym() and kstack.

import { kallsyms, type Kallsyms } from '../../common/kernel/kallsyms';
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

  static load(k: Kallsyms = kallsyms()): KernelSymbols {
    const rows: { addr: bigint; name: string; module?: string }[] = [];
    for (let i = 0; i < k.names.length; i++) {
      if (!'TtWw'.includes(k.types[i]) || k.addrs[i] === 0n) continue;
      rows.push({ addr: k.addrs[i], name: k.names[i], module: k.modules[i] });
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
