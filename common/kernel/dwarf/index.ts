// A binary's DWARF debug info as uprobes need it: its functions by name with their formal
// parameters, its named types, and C spellings of types the way bpftrace 0.17 lists them. Read
// once per ELF file (the ELF reader caches files by path and mtime).

import type { ElfFile } from '../elf';
import { AT, TAG } from './constants';
import { DwarfFormatError } from './cursor';
import { debugFile } from './debug-file';
import { DebugInfo, type Die } from './units';

export { DwarfFormatError } from './cursor';
export type { Die } from './units';
export { AT, TAG, ATE } from './constants';

export interface DwarfParam {
  name: string;
  /** The parameter's type entry; null when DWARF gives none. */
  type: Die | null;
}

export interface DwarfFunction {
  name: string;
  die: Die;
  params: DwarfParam[];
}

const TAG_WORD: Record<number, string> = { [TAG.structure_type]: 'struct', [TAG.class_type]: 'struct', [TAG.union_type]: 'union', [TAG.enumeration_type]: 'enum' };
const NAMED_TYPES = new Set<number>([TAG.structure_type, TAG.class_type, TAG.union_type, TAG.enumeration_type, TAG.typedef, TAG.base_type]);

const cache = new WeakMap<ElfFile, Dwarf | null>();

export class Dwarf {
  readonly #byOffset = new Map<number, Die>();
  readonly #functions = new Map<string, Die[]>();
  readonly #types = new Map<string, Die[]>();

  /** `path`: the binary described (not its separate debug file). */
  private constructor(readonly path: string, info: DebugInfo) {
    const subprograms: Die[] = [];
    for (const u of info.units) {
      const walk = u.root ? [u.root] : [];
      while (walk.length) {
        const d = walk.pop()!;
        this.#byOffset.set(d.offset, d);
        if (d.tag === TAG.subprogram) subprograms.push(d);
        else if (NAMED_TYPES.has(d.tag)) {
          const n = d.attrs.get(AT.name)?.value;
          if (typeof n === 'string') push(this.#types, TAG_WORD[d.tag] ? `${TAG_WORD[d.tag]} ${n}` : n, d);
        }
        for (let i = d.children.length - 1; i >= 0; i--) walk.push(d.children[i]);
      }
    }
    // Names of out-of-line copies and of definitions live on the entries they point back to.
    for (const d of subprograms) {
      for (const n of new Set([this.name(d), this.#str(d, AT.linkage_name) ?? this.#str(d, AT.MIPS_linkage_name)])) if (n) push(this.#functions, n, d);
    }
  }

  /**
   * The binary's DWARF, from itself or its separate debug file, or null when there is none.
   * Throws DwarfFormatError on damaged data.
   */
  static of(elf: ElfFile): Dwarf | null {
    if (cache.has(elf)) return cache.get(elf)!;
    const file = debugFile(elf);
    const dw = file?.section('.debug_abbrev') ? new Dwarf(elf.path, new DebugInfo(file)) : null;
    cache.set(elf, dw);
    return dw;
  }

  die(offset: number): Die | null {
    return this.#byOffset.get(offset) ?? null;
  }

  /** The entry an attribute refers to (DW_AT_type, DW_AT_abstract_origin …). */
  ref(d: Die, at: number): Die | null {
    const v = d.attrs.get(at)?.value;
    return typeof v === 'number' ? this.die(v) : null;
  }

  #str(d: Die, at: number): string | undefined {
    const v = d.attrs.get(at)?.value;
    return typeof v === 'string' ? v : undefined;
  }

  /** The entry's DW_AT_name, through abstract_origin/specification when it has none of its own. */
  name(d: Die): string | undefined {
    for (let e: Die | null = d, i = 0; e && i < 8; i++) {
      const n = this.#str(e, AT.name);
      if (n !== undefined) return n;
      e = this.ref(e, AT.abstract_origin) ?? this.ref(e, AT.specification);
    }
    return undefined;
  }

  /** An attribute of the entry or of the one it is a copy of. */
  inherited(d: Die, at: number): Die | null {
    for (let e: Die | null = d, i = 0; e && i < 8; i++) {
      const r = this.ref(e, at);
      if (r) return r;
      e = this.ref(e, AT.abstract_origin) ?? this.ref(e, AT.specification);
    }
    return null;
  }

  functionNames(): string[] {
    return [...this.#functions.keys()];
  }

  /** The function named `name` (its name or linkage name), preferring the entry of the code itself. */
  findFunction(name: string): DwarfFunction | null {
    const all = this.#functions.get(name);
    if (!all?.length) return null;
    const die = all.find((d) => d.attrs.has(AT.low_pc)) ?? all.find((d) => !d.attrs.has(AT.declaration)) ?? all[0];
    let params = die.children.filter((c) => c.tag === TAG.formal_parameter);
    if (!params.length) {
      const origin = this.ref(die, AT.abstract_origin) ?? this.ref(die, AT.specification);
      if (origin) params = origin.children.filter((c) => c.tag === TAG.formal_parameter);
    }
    return {
      name,
      die,
      params: params.map((p, i) => ({ name: this.name(p) ?? `arg${i}`, type: this.inherited(p, AT.type) })),
    };
  }

  /**
   * A named type: `struct X`, `union X`, `enum X`, or a typedef or base type `X`. A full definition
   * is preferred to a declaration.
   */
  findType(cname: string): Die | null {
    const all = this.#types.get(cname.replace(/\s+/g, ' ').trim());
    if (!all?.length) return null;
    return all.find((d) => !d.attrs.has(AT.declaration)) ?? all[0];
  }

  /** The number value of an attribute (sizes, offsets, encodings), or undefined. */
  num(d: Die, at: number): number | undefined {
    const v = d.attrs.get(at)?.value;
    return typeof v === 'number' ? v : undefined;
  }

  /**
   * The C spelling bpftrace 0.17 gives a parameter's type in `-lv`: pointers written `T*`, a const
   * pointer `T* const`, and `<unknown type>` for what it does not spell (volatile, restrict,
   * arrays, function types).
   */
  typeName(t: Die | null, depth = 0): string {
    if (!t) return 'void';
    if (depth > 32) return '<unknown type>';
    const inner = this.ref(t, AT.type);
    switch (t.tag) {
      case TAG.base_type:
      case TAG.typedef:
        return this.name(t) ?? '<unknown type>';
      case TAG.structure_type:
      case TAG.class_type:
      case TAG.union_type:
      case TAG.enumeration_type:
        return `${TAG_WORD[t.tag]} ${this.name(t) ?? '<anonymous>'}`;
      case TAG.pointer_type:
        return `${this.typeName(inner, depth + 1)}*`;
      case TAG.const_type:
        if (!inner) return 'const <unknown type>';
        return inner.tag === TAG.pointer_type ? `${this.typeName(inner, depth + 1)} const` : `const ${this.typeName(inner, depth + 1)}`;
      default:
        return '<unknown type>';
    }
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

/** The DWARF of an ELF file, or null when it has none or it cannot be read (a warning-free probe
 * then just has no named arguments). */
export function dwarfOf(elf: ElfFile): Dwarf | null {
  try {
    return Dwarf.of(elf);
  } catch (e) {
    if (e instanceof DwarfFormatError) return null;
    throw e;
  }
}
