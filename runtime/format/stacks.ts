// Symbols and frames behind kstack/ustack/ksym/usym values. The probe records only a stack id (and
// a pid) or an address; the frames live in the object's stack trace maps, read here while the
// session is open, and are symbolised against /proc/kallsyms or the process's objects. How the
// frames are laid out as text is the stack format's (src/functions/stack.ts).

import { stackMapName } from '../../common/format/stack-map';
import type { BpfMap } from '../libbpf';

// Symbol tables (and the ELF reader) load on first use: most runs print no stack.
const symbols = (): typeof import('../symbols') => require('../symbols') as typeof import('../symbols');

/** bpftrace's unresolved form: the address as C++ streams a void*. */
function hexAddr(addr: bigint): string {
  return addr === 0n ? '0' : `0x${addr.toString(16)}`;
}

export function ksymText(addr: bigint, withOffset = false): string {
  const { kernelSymbols, formatSymbol } = symbols();
  const s = kernelSymbols().resolve(addr);
  return s ? formatSymbol(s, withOffset) : hexAddr(addr);
}

export function usymText(addr: bigint, pid: number, withOffset = false, withObject = false): string {
  const s = pid > 0 ? symbols().processSymbols(pid)?.resolve(addr) : null;
  if (!s) return withObject ? `${hexAddr(addr)} ([unknown])` : hexAddr(addr);
  const name = withOffset ? `${s.name}+${s.offset}` : s.name;
  return withObject ? `${name} (${s.object})` : name;
}

/** The frames of stack `id` in `findMap`'s stack map of `depth` frames, innermost first; null when absent. */
export function stackFrames(findMap: (name: string) => BpfMap | undefined, depth: number, id: number): bigint[] | null {
  if (id < 0) return null;
  const map = findMap(stackMapName(depth));
  if (!map) return null;
  const key = Buffer.alloc(4);
  key.writeUInt32LE(id);
  const value = Buffer.alloc(depth * 8);
  if (!map.lookup(key, value)) return null;
  const out: bigint[] = [];
  for (let i = 0; i < depth; i++) {
    const a = value.readBigUInt64LE(i * 8);
    if (a === 0n) break;
    out.push(a);
  }
  return out;
}
