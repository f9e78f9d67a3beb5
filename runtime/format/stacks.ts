// Text of kstack/ustack/ksym/usym values, as bpftrace 0.17 prints them. The probe records only a
// stack id (and a pid) or an address; the frames live in the object's stack trace maps, read here
// while the session is open, and are symbolised against /proc/kallsyms or the process's objects.
//
// bpftrace mode:  "\n" + one "        sym+off\n" per frame (map keys indent 4, everything else 8)
// perf mode:      "\n" + one "\t<hex addr> sym+off\n" per frame (user frames add " (object)")
// raw mode:       "\n" + one "<hex addr>\n" per frame (bpftrace ≥ 0.19; 0.17 lacks it)

import type { StackSpec, StringType } from '../../src/types';
import type { BpfMap } from '../libbpf';

// Symbol tables (and the ELF reader) load on first use: most runs print no stack.
const symbols = (): typeof import('../symbols') => require('../symbols') as typeof import('../symbols');

/** Name of the stack trace map holding stacks of `depth` frames (one per depth, kernel and user share it). */
export function stackMapName(depth: number): string {
  return `stacks_${depth}`;
}

let findMap: ((name: string) => BpfMap | undefined) | null = null;

/** The session's loaded object, where stack maps are looked up; null once it is closed. */
export function setStackMaps(find: ((name: string) => BpfMap | undefined) | null): void {
  findMap = find;
}

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

/** The frames of stack `id`, innermost first; null when the id is an error or absent. */
function frames(depth: number, id: number): bigint[] | null {
  if (id < 0 || !findMap) return null;
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

export function stackText(spec: StackSpec, user: boolean, id: number, pid: number, indent = 8): string {
  const addrs = frames(spec.depth, id);
  // A failed capture (-EFAULT: no user stack in a kernel thread) prints nothing, as in bpftrace.
  if (!addrs) return '';
  const pad = ' '.repeat(indent);
  let out = '\n';
  for (const a of addrs) {
    if (spec.mode === 'raw') {
      out += `${a.toString(16)}\n`;
      continue;
    }
    const sym = user ? usymText(a, pid, true, spec.mode === 'perf') : ksymText(a, true);
    out += spec.mode === 'perf' ? `\t${a.toString(16)} ${sym}\n` : `${pad}${sym}\n`;
  }
  return out;
}

/** Decodes a symbolic value recorded by a probe into its text (the value form: indent 8). */
export function decodeSymbolic(t: StringType, view: DataView, off: number): string {
  switch (t.format) {
    case 'ksym':
      return ksymText(view.getBigUint64(off, true));
    case 'usym':
      return usymText(view.getBigUint64(off, true), Number(view.getBigUint64(off + 8, true)));
    default: {
      const id = view.getInt32(off, true);
      const pid = view.getInt32(off + 4, true);
      return stackText(t.stack ?? { mode: 'bpftrace', depth: 127 }, t.format === 'ustack', id, pid);
    }
  }
}

export function isStack(t: { kind: string; format?: string }): boolean {
  return t.kind === 'string' && (t.format === 'kstack' || t.format === 'ustack');
}

/** Whether map printing joins this value type's entries without a newline (bpftrace 0.17's quirk). */
export function isSymbolic(t: { kind: string; format?: string }): boolean {
  return t.kind === 'string' && (t.format === 'kstack' || t.format === 'ustack' || t.format === 'ksym' || t.format === 'usym' || t.format === 'inet');
}

/** A stack printed as a map key: bpftrace indents its frames by 4 there instead of 8. */
export function asKeyText(text: string): string {
  return text.replace(/\n {8}/g, '\n    ');
}
