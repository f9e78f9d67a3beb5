// User-space symbols of a process: its mapped ELF objects (from /proc/PID/maps) and their symbol
// tables. A process's mappings are remembered the first time they are read, so addresses from a
// process that has exited since (a stack printed at exit) still resolve, as long as the objects
// are still on disk.

import { readMappings, type Mapping } from '../../common/kernel/proc-maps';
import { ElfFile } from '../../common/kernel/elf';
import { elfSymbols, STT_FUNC, STT_GNU_IFUNC, STT_OBJECT } from '../../common/kernel/elf-symbols';
import { nearest, type ResolvedSymbol, type SymbolTable } from './table';

export { readMappings, type Mapping };

const tables = new WeakMap<ElfFile, SymbolTable>();

/** Functions and objects of an ELF file, sorted by virtual address. */
function tableOf(elf: ElfFile): SymbolTable {
  let t = tables.get(elf);
  if (t) return t;
  const syms = elfSymbols(elf)
    .filter((s) => s.type === STT_FUNC || s.type === STT_GNU_IFUNC || s.type === STT_OBJECT)
    .sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  t = { addrs: syms.map((s) => s.addr), names: syms.map((s) => s.name), sizes: syms.map((s) => s.size) };
  tables.set(elf, t);
  return t;
}

/** Resolves `addr` in the object of `path` mapped by `m`. */
function resolveInMapping(m: Mapping, addr: bigint): ResolvedSymbol | null {
  let elf: ElfFile;
  try {
    elf = ElfFile.open(m.path);
  } catch {
    return null;
  }
  const vaddr = elf.vaddrOf(Number(addr - m.start + m.offset));
  if (vaddr === null) return null;
  const s = nearest(tableOf(elf), vaddr);
  return s && { ...s, object: m.path };
}

export class ProcessSymbols {
  constructor(
    readonly pid: number,
    private mappings: Mapping[],
  ) {}

  /** Re-reads the mappings (after the process loaded a library); keeps the old ones if it is gone. */
  refresh(): void {
    this.mappings = readMappings(this.pid) ?? this.mappings;
  }

  /** The mapped object containing `addr`, or undefined. */
  mappingOf(addr: bigint): Mapping | undefined {
    return this.mappings.find((m) => addr >= m.start && addr < m.end);
  }

  /** The symbol containing `addr`, or null (unmapped, stripped, or between symbols). */
  resolve(addr: bigint): ResolvedSymbol | null {
    let m = this.mappingOf(addr);
    if (!m) {
      this.refresh();
      m = this.mappingOf(addr);
    }
    return m ? resolveInMapping(m, addr) : null;
  }
}

const processes = new Map<number, ProcessSymbols>();

/**
 * Symbols of process `pid`. Its mappings are read now if they were not remembered before, so
 * call this (or remember()) while the process lives to resolve its addresses after it exits.
 * Null when the process is gone and was never seen.
 */
export function processSymbols(pid: number): ProcessSymbols | null {
  const hit = processes.get(pid);
  if (hit) return hit;
  const maps = readMappings(pid);
  if (!maps) return null;
  const p = new ProcessSymbols(pid, maps);
  processes.set(pid, p);
  return p;
}

/** Remembers (or refreshes) a live process's mappings for later resolution. */
export function rememberProcess(pid: number): void {
  const p = processSymbols(pid);
  p?.refresh();
}

/** Forgets a process (its pid may be reused). */
export function forgetProcess(pid: number): void {
  processes.delete(pid);
}
