// `args` in uprobes, from the binary's DWARF: `args->NAME` reads a parameter of the probed function
// where the calling convention put it at the function's first instruction, typed as DWARF
// declares it. Before attach points are expanded, userTypes() reads the DWARF of every uprobe
// binary of the program and converts the types the program can reach (the parameters of the
// probed functions and the struct, union, enum and typedef names it writes) into a BTF layer over
// the kernel's, so `args->foo->bar`, `(struct Foo *)arg0` and printing a struct work as they do
// for kernel types.

import type { AttachPoint, Probe, Program } from '../ast';
import { error } from '../../common/diagnostics';
import type { ElfFile } from '../../common/kernel/elf';
import type { Dwarf } from '../../common/kernel/dwarf';
import type { ParamPlace } from '../../common/kernel/dwarf/sysv';
import type { DwarfBtf } from '../semantic/dwarf-to-btf';
import { Btf, type TypeId } from '../../common/kernel/btf';
import { findNamedType, kernelBtf, languageType, pointerTo } from '../semantic/kernel-types';
import type { TracepointField, TracepointFormat } from '../../common/kernel/tracefs';
import { didYouMean, withSuggestion } from '../suggest';
import type { Type } from '../../common/types';
import type { ExpandedProbe } from './types';
import type { UprobeAttach } from './uprobe.attach';
import { resolveBinary } from './user-binary';
import { hasWildcard, wildcardRegex } from '../../common/wildcard';

// The DWARF readers (~20 modules) are required when a script has a uprobe to read them for: every
// compile loads this module (prepare.ts asks it for user types), most never need them.
const dwarf = (): typeof import('../../common/kernel/dwarf') => require('../../common/kernel/dwarf') as typeof import('../../common/kernel/dwarf');

/** Offsets in x86-64's struct pt_regs of di, si, dx, cx, r8, r9. */
const ARG_REG_OFFSETS = [112, 104, 96, 88, 72, 64];

export interface UprobeParam {
  name: string;
  /** As bpftrace 0.17 spells it in -lv. */
  ctype: string;
  /** The parameter's type in the DWARF layer of kernelBtf(). */
  btf: TypeId;
  place: ParamPlace;
}

/** Parameters of each probed function of this compile, by binary path and function name. */
const params = new Map<string, UprobeParam[]>();
const key = (path: string, func: string) => `${path}\0${func}`;

const USER_PROVIDERS = new Set(['uprobe', 'u', 'uretprobe', 'ur']);

/**
 * The DWARF layer for a program: a BTF over the kernel's holding the types its uprobes can reach,
 * or undefined when no uprobe binary has DWARF (the kernel's BTF is then not even read here). Also
 * records the parameters of each probed function.
 */
export function userTypes(program: Program, positionals: readonly string[] = []): Btf | undefined {
  params.clear();
  // `$N` in an attach point is the Nth argument's text, as expansion substitutes it.
  const put = (s: string) => s.replace(/\$(\d+)/g, (_m, n: string) => positionals[Number(n) - 1] ?? '');
  const aps = program.probes
    .flatMap((p) => p.attachPoints)
    .map((ap) => ({ provider: put(ap.provider), parts: ap.parts.map(put) }))
    .filter((ap) => USER_PROVIDERS.has(ap.provider) && ap.parts.length === 2);
  if (!aps.length) return undefined;
  // Made when the first binary with DWARF turns up: until then the kernel's BTF need not be read.
  let layer: DwarfBtf | undefined;
  const types = () => (layer ??= new (require('../semantic/dwarf-to-btf') as typeof import('../semantic/dwarf-to-btf')).DwarfBtf(Btf.vmlinux()));
  const names = typeNames(program);
  const binaries = new Set<Dwarf>();
  for (const ap of aps) {
    const dw = dwarfAt(ap.parts[0]);
    if (!dw) continue;
    binaries.add(dw);
    if (ap.provider !== 'uprobe' && ap.provider !== 'u') continue;
    const target = ap.parts[1].replace(/\+.*$/, '');
    const funcs = hasWildcard(target) ? dw.functionNames().filter((f) => wildcardRegex(target).test(f)) : [target];
    for (const name of funcs) {
      const f = dw.findFunction(name);
      if (!f || params.has(key(dw.path, name))) continue;
      const places = (require('../../common/kernel/dwarf/sysv') as typeof import('../../common/kernel/dwarf/sysv')).placeParams(dw, f.params.map((p) => p.type));
      params.set(key(dw.path, name), f.params.map((p, i) => ({ name: p.name, ctype: dw.typeName(p.type), btf: types().add(dw, p.type), place: places[i] })));
    }
  }
  for (const dw of binaries) {
    for (const n of names) {
      const t = dw.findType(n);
      if (t) types().add(dw, t);
    }
  }
  return layer && !layer.empty ? layer.build() : undefined;
}

/** The DWARF of a uprobe's binary as the attach point names it, or null (none, or not found: expansion says why). */
function dwarfAt(bin: string): Dwarf | null {
  const path = resolveBinary(bin);
  if (!path) return null;
  try {
    return dwarf().dwarfOf((require('../../common/kernel/elf') as typeof import('../../common/kernel/elf')).ElfFile.open(path));
  } catch {
    return null;
  }
}

/** Every type name the program writes (casts, sizeof, offsetof, members of its C definitions), as DWARF names types. */
function typeNames(program: Program): Set<string> {
  const out = new Set<string>();
  const visit = (node: unknown, seen: Set<object>) => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    const n = node as { kind?: string; name?: unknown };
    if (n.kind === 'TypeRef' && typeof n.name === 'string') {
      const name = n.name.replace(/\b(const|volatile)\b/g, ' ').replace(/\s+/g, ' ').trim();
      out.add(name);
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'span') visit(v, seen);
  };
  visit(program, new Set());
  return out;
}

/** Whether a probe's predicate or body mentions `args`. */
export function usesArgs(node: unknown, seen = new Set<object>()): boolean {
  if (node === null || typeof node !== 'object' || seen.has(node)) return false;
  seen.add(node);
  const e = node as { kind?: string; name?: unknown };
  if (e.kind === 'Builtin' && e.name === 'args') return true;
  for (const [k, v] of Object.entries(node)) if (k !== 'span' && k !== 'attachPoints' && usesArgs(v, seen)) return true;
  return false;
}

/**
 * The `args` record of a uprobe on `func` of `path`: a field per parameter that can be read. One
 * in a register lies at that register's place in struct pt_regs (little-endian, so a narrower
 * integer is read from the start of its register); a struct in registers names them all; one on
 * the stack has its offset from the stack pointer. Undefined when the binary has no DWARF, and
 * bpftrace's error if the probe uses `args` then.
 */
export function uprobeArgsFormat(ap: AttachPoint, probe: Probe | undefined, path: string, elf: ElfFile, func: string | undefined): TracepointFormat | undefined {
  if (!dwarf().dwarfOf(elf)) {
    if (probe && usesArgs(probe)) throw error(`No debuginfo found for ${path}`, ap.span, 'args needs the binary built with -g (DWARF debug info); argN reads raw argument registers');
    return undefined;
  }
  const fields: TracepointField[] = [];
  for (const p of (func && params.get(key(path, func))) || []) {
    if (p.place.kind === 'reg') fields.push({ name: p.name, ctype: p.ctype, offset: ARG_REG_OFFSETS[p.place.reg], size: p.place.size, signed: p.place.signed });
    if (p.place.kind === 'regs' && !p.place.sse) fields.push({ name: p.name, ctype: p.ctype, offset: 0, size: p.place.size, signed: false, regs: p.place.regs.map((r) => ARG_REG_OFFSETS[r]) });
    if (p.place.kind === 'stack') fields.push({ name: p.name, ctype: p.ctype, offset: p.place.offset, size: p.place.size, signed: p.place.signed, stack: true });
  }
  return { category: 'uprobe', name: func ?? '', id: 0, fields, size: 168 };
}

/** The type of `args->NAME` in a uprobe, or the error that refuses it. */
export function uprobeArgField(p: ExpandedProbe<UprobeAttach>, field: string): Type | { error: string; hint?: string } {
  const func = p.attach.symbol ?? '';
  const list = params.get(key(p.attach.binary, func));
  const param = list?.find((x) => x.name === field);
  if (!param) {
    const names = list?.map((x) => x.name) ?? [];
    const about = !list ? `the DWARF of ${p.attach.binary} does not describe ${func || 'this address'}` : names.length ? `its parameters are: ${names.join(', ')}` : `${func} takes no parameters`;
    return { error: `Can't find function parameter ${field}`, hint: withSuggestion(didYouMean(field, names), about) };
  }
  const where = param.place;
  const unreadable = (why: string) => ({ error: `args->${field} ${why}`, hint: 'a uprobe sees the registers the kernel saves in struct pt_regs: the integer ones, not xmm0–xmm7' });
  if (where.kind === 'float') return unreadable(`is a floating-point parameter (${param.ctype}), passed in an SSE register, which BPF programs cannot read`);
  if (where.kind === 'regs' && where.sse) return unreadable(`is a ${param.ctype} passed by value partly in SSE registers, which BPF programs cannot read`);
  if (where.kind === 'unknown') return unreadable(`has the type ${param.ctype}, which cannot be read`);
  const btf = kernelBtf();
  if (!btf) return { error: `args->${field}: ${param.ctype} has no BTF` };
  // A struct the script defines itself replaces the binary's of the same name, as in bpftrace 0.17.
  const t = btf.resolve(param.btf);
  if (t.kind === 'ptr') {
    const target = btf.resolve(t.target);
    const named = (target.kind === 'struct' || target.kind === 'union') && target.name ? findNamedType(btf, `${target.kind} ${target.name}`) : null;
    if (named !== null && named !== target.id) return pointerTo(btf, named, 'user', btf.typeName(param.btf));
  }
  // A struct passed in registers is read from its copy in the program's memory.
  const value = languageType(btf, param.btf, where.kind === 'regs' ? 'kernel' : 'user');
  return typeof value === 'string' ? { error: `args->${field}: ${value}` } : value;
}
