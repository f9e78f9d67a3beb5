// C struct/union/enum definitions written in a script, turned into BTF.
//
// bpftrace runs clang over the definitions at the top of a script. bpfscript has no C compiler, so
// it lays the definitions out itself with the x86-64/arm64 C rules (natural alignment, padding,
// bitfields packed into units of their declared type) and writes them as a small split BTF over
// vmlinux's. Casts, `->` and `.` then go through exactly the same code as kernel types, and a
// definition may embed or point to kernel types (`struct path path;`), which resolve from vmlinux.
// A script's definition shadows a kernel type of the same name, as it does in bpftrace.
//
// Preprocessor conditionals are honoured for definitions (./preprocessor.ts): bpftrace defines
// BPFTRACE_HAVE_BTF when the kernel has BTF, so the `#ifndef BPFTRACE_HAVE_BTF` fallbacks of its
// tools are skipped here as they are there.

import type { BinaryOp, CDefinition, CField, Expr, Program } from '../ast';
import { preprocess } from './preprocessor';
import { Btf, type TypeId } from '../../common/kernel/btf';
import type { DiagnosticBag } from '../../common/diagnostics';

/** Definitions that the script's #if/#ifdef/#ifndef lines leave in (the others are skipped). */
export function activeDefinitions(program: Program, haveBtf: boolean): CDefinition[] {
  const { dropped } = preprocess(program, haveBtf);
  return program.cDefinitions.filter((d) => !dropped.some(([s, e]) => d.span.start >= s && d.span.start < e));
}

/** Builtin C integer spellings: [bytes, signed]. */
const C_INTS: Record<string, [number, boolean]> = {
  char: [1, true], 'signed char': [1, true], 'unsigned char': [1, false], _Bool: [1, false], bool: [1, false],
  short: [2, true], 'short int': [2, true], 'signed short': [2, true], 'unsigned short': [2, false], 'unsigned short int': [2, false],
  int: [4, true], signed: [4, true], 'signed int': [4, true], unsigned: [4, false], 'unsigned int': [4, false],
  long: [8, true], 'long int': [8, true], 'signed long': [8, true], 'unsigned long': [8, false], 'unsigned long int': [8, false],
  'long long': [8, true], 'long long int': [8, true], 'unsigned long long': [8, false], 'unsigned long long int': [8, false],
};
for (const bits of [8, 16, 32, 64]) {
  for (const [u, s] of [[`u${bits}`, `s${bits}`], [`__u${bits}`, `__s${bits}`], [`uint${bits}_t`, `int${bits}_t`]]) {
    C_INTS[u] = [bits / 8, false];
    C_INTS[s] = [bits / 8, true];
  }
}

interface Layout { id: TypeId; size: number; align: number }

class CDeclError extends Error {
  constructor(message: string, readonly node: { span: CDefinition['span'] }, readonly hint?: string) {
    super(message);
  }
}

/**
 * The BTF that the analysis should see: vmlinux's (or null) when the script defines no types,
 * else a split BTF holding the script's definitions over it. Errors go to `diags`.
 */
export function scriptTypes(program: Program, diags: DiagnosticBag, base: Btf | null = Btf.vmlinux()): Btf | null {
  const defs = activeDefinitions(program, base !== null);
  if (!defs.length) return base;
  const w = new BtfWriter(base ? base.endId : 1);
  const builder = new TypeBuilder(base, w, defs);
  for (const d of defs) {
    try {
      builder.define(d);
    } catch (e) {
      if (!(e instanceof CDeclError)) throw e;
      diags.error(e.message, e.node.span, e.hint);
    }
  }
  return new Btf(w.blob(base), base, true);
}

class TypeBuilder {
  readonly #tags = new Map<string, CDefinition>();
  readonly #done = new Map<CDefinition, Layout>();
  readonly #busy = new Set<CDefinition>();
  readonly #ints = new Map<string, Layout>();
  readonly #ptrs = new Map<TypeId, TypeId>();
  readonly #fwds = new Map<string, TypeId>();
  /** Enumerator values seen so far, for later enumerators' expressions. */
  readonly #enumerators = new Map<string, bigint>();

  constructor(readonly base: Btf | null, readonly w: BtfWriter, defs: CDefinition[]) {
    for (const d of defs) this.#tags.set(`${d.tag} ${d.name}`, d);
  }

  define(d: CDefinition): Layout {
    if (this.#busy.has(d)) throw new CDeclError(`${d.tag} ${d.name} contains itself`, d, 'a struct can hold a pointer to its own type, not a copy of it');
    const known = this.#done.get(d);
    if (known) return known;
    this.#busy.add(d);
    try {
      const l = d.tag === 'enum' ? this.#enum(d) : this.#record(d);
      this.#done.set(d, l);
      return l;
    } finally {
      this.#busy.delete(d);
    }
  }

  #enum(d: CDefinition): Layout {
    let next = 0n;
    const values: [string, bigint][] = [];
    for (const e of d.enumerators) {
      const v = e.value ? this.#constant(e.value) : next;
      values.push([e.name, v]);
      this.#enumerators.set(e.name, v);
      next = v + 1n;
    }
    const signed = values.some(([, v]) => v < 0n);
    const wide = values.some(([, v]) => v > 0xffffffffn || v < -0x80000000n);
    const size = wide ? 8 : 4;
    return { id: this.w.enumType(d.name, size, signed, values), size, align: size };
  }

  #record(d: CDefinition): Layout {
    // The id is taken first so members may point back at this struct.
    const id = this.w.reserve();
    this.#done.set(d, { id, size: 0, align: 1 });
    const members: { name: string; type: TypeId; bitOffset: number; bitSize: number }[] = [];
    let bit = 0;
    let size = 0;
    let align = 1;
    for (const f of d.fields) {
      const ft = this.#fieldType(f);
      const t = d.packed ? { ...ft, align: 1 } : ft;
      align = Math.max(align, t.align);
      if (d.tag === 'union') {
        members.push({ name: f.name, type: t.id, bitOffset: 0, bitSize: f.bitWidth ?? 0 });
        size = Math.max(size, t.size);
        continue;
      }
      if (f.bitWidth !== null) {
        const unit = t.size * 8;
        if (f.bitWidth > unit) throw new CDeclError(`bitfield ${f.name} is wider than its type (${unit} bits)`, f);
        // A bitfield that would straddle a unit of its type starts the next unit; width 0 just aligns.
        if (f.bitWidth === 0 || Math.floor(bit / unit) !== Math.floor((bit + f.bitWidth - 1) / unit)) bit = Math.ceil(bit / unit) * unit;
        if (f.bitWidth && f.name) members.push({ name: f.name, type: t.id, bitOffset: bit, bitSize: f.bitWidth });
        bit += f.bitWidth;
      } else {
        bit = Math.ceil(bit / (t.align * 8)) * t.align * 8;
        members.push({ name: f.name, type: t.id, bitOffset: bit, bitSize: 0 });
        bit += t.size * 8;
      }
      size = Math.max(size, Math.ceil(bit / 8));
    }
    align = Math.max(align, d.aligned ?? 1);
    size = Math.ceil(size / align) * align;
    this.w.record(id, d.tag === 'union', d.name, size, members);
    return { id, size, align };
  }

  /** The type of one declarator: its base type, then pointers, then array dimensions. */
  #fieldType(f: CField): Layout {
    let t: Layout | null = null;
    if (f.pointerDepth > 0) {
      let target = this.#baseId(f);
      for (let i = 0; i < f.pointerDepth; i++) target = this.#pointer(target);
      t = { id: target, size: 8, align: 8 };
    } else t = this.#baseLayout(f);
    for (const n of [...f.arrayLengths].reverse()) {
      t = { id: this.w.array(t.id, this.#int('unsigned int').id, n), size: t.size * n, align: t.align };
    }
    return t;
  }

  /** Pointee of a pointer member: anything, incomplete struct names included. */
  #baseId(f: CField): TypeId {
    if (f.inline) return this.define(f.inline).id;
    const name = unqualified(f.type.name);
    const m = /^(struct|union|enum)\s+(\w+)$/.exec(name);
    if (name === 'void') return 0;
    if (m) {
      const d = this.#tags.get(name);
      if (d) return d.tag === 'enum' ? this.define(d).id : this.#reserved(d);
      const k = this.#kernel(name);
      if (k !== null) return k;
      return this.#fwd(m[2], m[1] === 'union');
    }
    return this.#baseLayout(f).id;
  }

  /** A script struct's id without laying it out (a pointer to it needs no size). */
  #reserved(d: CDefinition): TypeId {
    return (this.#done.get(d) ?? this.define(d)).id;
  }

  #baseLayout(f: CField): Layout {
    if (f.inline) return this.define(f.inline);
    const name = unqualified(f.type.name);
    if (name === 'void') throw new CDeclError(`member ${f.name} cannot have type void`, f);
    const d = this.#tags.get(name);
    if (d) return this.define(d);
    if (C_INTS[name]) return this.#int(name);
    const k = this.#kernel(name);
    if (k !== null && this.base) {
      // A script's own definition of a kernel struct replaces the kernel's, and bpftrace 0.17 then
      // brings in no kernel struct for it by value (clang sees only a forward declaration); clang's
      // words, which scripts around bpftrace match on.
      if (/^(struct|union) /.test(name) && this.#redefinesKernel(f)) {
        throw new CDeclError(`error: field has incomplete type '${name}'`, f.type, `${this.#owner(f)} replaces the kernel's definition, so it sees only the script's own types by value: define ${name} in the script too, or make ${f.name} a pointer`);
      }
      const size = this.base.sizeOf(k);
      if (size === null) throw new CDeclError(`${name} is incomplete: member ${f.name} needs its size`, f.type, 'use a pointer to it instead');
      return { id: k, size, align: kernelAlign(this.base, k) };
    }
    throw new CDeclError(`unknown type '${name}' for member ${f.name}`, f.type, this.base ? 'kernel types come from /sys/kernel/btf/vmlinux; check the spelling' : 'this kernel exposes no BTF');
  }

  /** The script definition that declares member `f`. */
  #owner(f: CField): string {
    for (const d of this.#busy) if (d.fields.includes(f)) return `${d.tag} ${d.name}`;
    return '';
  }

  #redefinesKernel(f: CField): boolean {
    const owner = this.#owner(f);
    return owner !== '' && this.#kernel(owner) !== null;
  }

  #kernel(name: string): TypeId | null {
    const b = this.base;
    if (!b) return null;
    const m = /^(struct|union|enum)\s+(\w+)$/.exec(name);
    if (m) return (m[1] === 'struct' ? b.findStruct(m[2]) : m[1] === 'union' ? b.findUnion(m[2]) : b.findEnum(m[2]))?.id ?? null;
    return /^\w+$/.test(name) ? b.findTypedef(name)?.id ?? null : null;
  }

  #int(name: string): Layout {
    let l = this.#ints.get(name);
    if (!l) {
      const [size, signed] = C_INTS[name]!;
      l = { id: this.w.int(name, size, signed, name === 'char'), size, align: size };
      this.#ints.set(name, l);
    }
    return l;
  }

  #pointer(target: TypeId): TypeId {
    let p = this.#ptrs.get(target);
    if (p === undefined) this.#ptrs.set(target, (p = this.w.ptr(target)));
    return p;
  }

  #fwd(name: string, union: boolean): TypeId {
    const key = `${union ? 'union' : 'struct'} ${name}`;
    let id = this.#fwds.get(key);
    if (id === undefined) this.#fwds.set(key, (id = this.w.fwd(name, union)));
    return id;
  }

  #constant(e: Expr): bigint {
    switch (e.kind) {
      case 'IntLit':
        return e.value;
      case 'Builtin': {
        const v = this.#enumerators.get(e.name) ?? this.base?.findEnumValue(e.name)?.value;
        if (v === undefined) throw new CDeclError(`unknown constant '${e.name}' in an enumerator`, e);
        return v;
      }
      case 'Unary': {
        const v = this.#constant(e.operand);
        if (e.op === '-') return -v;
        if (e.op === '~') return ~v;
        if (e.op === '!') return v ? 0n : 1n;
        break;
      }
      case 'Binary': {
        const f = BINARY[e.op];
        if (f) return f(this.#constant(e.left), this.#constant(e.right));
        break;
      }
    }
    throw new CDeclError('an enumerator value must be an integer constant expression', e);
  }
}

/** A member type's name without const/volatile, which change no layout. */
function unqualified(name: string): string {
  return name.replace(/\b(const|volatile)\b/g, ' ').replace(/\s+/g, ' ').trim();
}

const BINARY: Partial<Record<BinaryOp, (a: bigint, b: bigint) => bigint>> = {
  '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => a / b, '%': (a, b) => a % b,
  '<<': (a, b) => a << b, '>>': (a, b) => a >> b, '|': (a, b) => a | b, '&': (a, b) => a & b, '^': (a, b) => a ^ b,
};

/** C alignment of a kernel type (BTF records sizes, not alignment): that of its widest scalar. */
function kernelAlign(btf: Btf, id: TypeId, depth = 0): number {
  const t = btf.resolve(id);
  switch (t.kind) {
    case 'int': case 'enum': case 'enum64': case 'float':
      return Math.min(t.size, 8) || 1;
    case 'ptr':
      return 8;
    case 'array':
      return kernelAlign(btf, t.elem, depth + 1);
    case 'struct': case 'union':
      if (depth > 32) return 8;
      return t.members.reduce((a, m) => Math.max(a, kernelAlign(btf, m.type, depth + 1)), 1);
    default:
      return 1;
  }
}

/** Writes BTF type records (ids continuing `firstId`) and their strings into a blob. */
export class BtfWriter {
  readonly #types: (Buffer | null)[] = [];
  readonly #strs: Buffer[] = [Buffer.from([0])];
  #strLen = 1;
  readonly #strOff = new Map<string, number>();

  constructor(readonly firstId: TypeId) {}

  #name(s: string): number {
    if (!s) return 0;
    let off = this.#strOff.get(s);
    if (off === undefined) {
      off = this.#strLen;
      const b = Buffer.from(`${s}\0`, 'latin1');
      this.#strs.push(b);
      this.#strLen += b.length;
      this.#strOff.set(s, off);
    }
    return off;
  }

  reserve(): TypeId {
    this.#types.push(null);
    return this.firstId + this.#types.length - 1;
  }

  #add(name: string, kind: number, vlen: number, kindFlag: boolean, sizeOrType: number, trailer: Buffer, at?: TypeId): TypeId {
    const h = Buffer.alloc(12);
    // Name offsets are written relative to this blob's strings and shifted in blob().
    h.writeUInt32LE(this.#name(name), 0);
    h.writeUInt32LE((((kindFlag ? 1 : 0) << 31) | (kind << 24) | vlen) >>> 0, 4);
    h.writeUInt32LE(sizeOrType >>> 0, 8);
    const rec = Buffer.concat([h, trailer]);
    if (at !== undefined) {
      this.#types[at - this.firstId] = rec;
      return at;
    }
    this.#types.push(rec);
    return this.firstId + this.#types.length - 1;
  }

  int(name: string, size: number, signed: boolean, char: boolean): TypeId {
    const enc = Buffer.alloc(4);
    enc.writeUInt32LE((((signed ? 1 : 0) | (char ? 2 : 0)) << 24) | (size * 8));
    return this.#add(name, 1, 0, false, size, enc);
  }

  ptr(target: TypeId): TypeId {
    return this.#add('', 2, 0, false, target, Buffer.alloc(0));
  }

  array(elem: TypeId, index: TypeId, length: number): TypeId {
    const a = Buffer.alloc(12);
    a.writeUInt32LE(elem, 0);
    a.writeUInt32LE(index, 4);
    a.writeUInt32LE(length, 8);
    return this.#add('', 3, 0, false, 0, a);
  }

  typedef(name: string, target: TypeId): TypeId {
    return this.#add(name, 8, 0, false, target, Buffer.alloc(0));
  }

  float(name: string, size: number): TypeId {
    return this.#add(name, 16, 0, false, size, Buffer.alloc(0));
  }

  fwd(name: string, union: boolean): TypeId {
    return this.#add(name, 7, 0, union, 0, Buffer.alloc(0));
  }

  enumType(name: string, size: number, signed: boolean, values: [string, bigint][]): TypeId {
    const wide = size === 8;
    const step = wide ? 12 : 8;
    const t = Buffer.alloc(values.length * step);
    values.forEach(([n, v], i) => {
      t.writeUInt32LE(this.#name(n), i * step);
      const u = BigInt.asUintN(64, v);
      t.writeUInt32LE(Number(u & 0xffffffffn), i * step + 4);
      if (wide) t.writeUInt32LE(Number(u >> 32n), i * step + 8);
    });
    return this.#add(name, wide ? 19 : 6, values.length, signed, size, t);
  }

  record(at: TypeId, union: boolean, name: string, size: number, members: { name: string; type: TypeId; bitOffset: number; bitSize: number }[]): void {
    const bits = members.some((m) => m.bitSize);
    const t = Buffer.alloc(members.length * 12);
    members.forEach((m, i) => {
      t.writeUInt32LE(this.#name(m.name), i * 12);
      t.writeUInt32LE(m.type, i * 12 + 4);
      t.writeUInt32LE(bits ? ((m.bitSize << 24) | m.bitOffset) >>> 0 : m.bitOffset, i * 12 + 8);
    });
    this.#add(name, union ? 5 : 4, members.length, bits, size, t, at);
  }

  /** The split BTF blob; string offsets continue the base's string section. */
  blob(base: Btf | null): Buffer {
    const shift = base ? base.stringBytes : 0;
    const types = this.#types.map((r) => {
      // A definition that failed keeps its id as an empty struct; the program is rejected anyway.
      const c = r ? Buffer.from(r) : Buffer.from([0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
      const kind = (c.readUInt32LE(4) >>> 24) & 0x1f;
      const vlen = c.readUInt32LE(4) & 0xffff;
      const fix = (off: number) => {
        const v = c.readUInt32LE(off);
        if (v) c.writeUInt32LE(v + shift, off);
      };
      fix(0);
      if (kind === 4 || kind === 5) for (let i = 0; i < vlen; i++) fix(12 + i * 12);
      if (kind === 6) for (let i = 0; i < vlen; i++) fix(12 + i * 8);
      if (kind === 19) for (let i = 0; i < vlen; i++) fix(12 + i * 12);
      return c;
    });
    const typeSec = Buffer.concat(types);
    const strSec = Buffer.concat(this.#strs);
    const hdr = Buffer.alloc(24);
    hdr.writeUInt16LE(0xeb9f, 0);
    hdr.writeUInt8(1, 2);
    hdr.writeUInt32LE(24, 4);
    hdr.writeUInt32LE(0, 8);
    hdr.writeUInt32LE(typeSec.length, 12);
    hdr.writeUInt32LE(typeSec.length, 16);
    hdr.writeUInt32LE(strSec.length, 20);
    return Buffer.concat([hdr, typeSec, strSec]);
  }
}
