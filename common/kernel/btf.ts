// A reader of the kernel's BTF (/sys/kernel/btf/vmlinux and the split BTF of modules), parsed here
// rather than through libbpf so the compiler needs no native code and no root.
//
// The file holds ~100k variable-length type records. Opening it makes one pass that only records
// where each type starts and its name offset (two Uint32Arrays); a type is decoded into a plain
// object the first time it is asked for, and a name is looked up by first finding the byte
// sequences "name\0" in the string section, then scanning the name-offset array for them. Nothing
// is indexed by name until asked, so a program that touches three kernel types pays for three.
//
// Usage:
//   const btf = Btf.vmlinux();                    // null when the kernel exposes no BTF
//   const sk = btf.findStruct('sock');            // StructType | null (complete definition)
//   const m = btf.member(sk, 'sk_family');        // { type, bitOffset, bitSize }, anonymous members looked through
//   const t = btf.resolve(m.type);                // typedefs, const, volatile, restrict, type tags skipped
//   const f = btf.findFunc('vfs_read');           // { name, params: [{ name, type }], ret, variadic }
//   btf.typeName(f.params[0].type);               // "struct file *"
//   btf.sizeOf(id);                               // bytes, following typedefs and arrays


import { perHost, host } from './host';
import { decodeType, TYPE_HEADER, trailerSize } from './btf-decode';
import { BTF_MAGIC, BtfFormatError, type FuncType, type BtfFunction, type BtfKind, type BtfType, type MemberLocation, type StructType, type EnumType, type RefType, type TypeId, type VoidType } from './btf-types';

export * from './btf-types';

const SKIPPED: ReadonlySet<BtfKind> = new Set(['typedef', 'volatile', 'const', 'restrict', 'type_tag']);

export class Btf {
  readonly #buf: Buffer;
  readonly #base: Btf | null;
  /** Names resolve to this BTF's own types before the base's (a script's definitions shadow the kernel's). */
  readonly #shadowBase: boolean;
  readonly #typeStart: number;
  readonly #strStart: number;
  readonly #strLen: number;
  /** Byte offset (in #buf) of each local type record; index 0 is local type 1. */
  readonly #offsets: Uint32Array;
  readonly #nameOffs: Uint32Array;
  readonly #decoded = new Map<TypeId, BtfType>();
  readonly #byName = new Map<string, TypeId[]>();
  /** Ids below this belong to the base BTF. */
  readonly firstId: TypeId;

  /**
   * Parses a BTF blob. `base` is the BTF a split BTF (a module's) extends: its type ids and string
   * offsets continue the base's.
   */
  constructor(buf: Buffer, base: Btf | null = null, shadowBase = false) {
    if (buf.length < 24 || buf.readUInt16LE(0) !== BTF_MAGIC) throw new BtfFormatError('not a BTF blob (bad magic; only little-endian BTF is read)');
    const hdrLen = buf.readUInt32LE(4);
    const typeOff = buf.readUInt32LE(8);
    const typeLen = buf.readUInt32LE(12);
    const strOff = buf.readUInt32LE(16);
    const strLen = buf.readUInt32LE(20);
    this.#buf = buf;
    this.#base = base;
    this.#shadowBase = shadowBase;
    this.#typeStart = hdrLen + typeOff;
    this.#strStart = hdrLen + strOff;
    this.#strLen = strLen;
    if (this.#typeStart + typeLen > buf.length || this.#strStart + strLen > buf.length) throw new BtfFormatError('BTF sections run past the end of the blob');
    this.firstId = base ? base.firstId + base.count : 1;

    const offsets: number[] = [];
    const nameOffs: number[] = [];
    const end = this.#typeStart + typeLen;
    let p = this.#typeStart;
    while (p < end) {
      offsets.push(p);
      nameOffs.push(buf.readUInt32LE(p));
      p += TYPE_HEADER + trailerSize(buf, p);
    }
    if (p !== end) throw new BtfFormatError('truncated BTF type section');
    this.#offsets = Uint32Array.from(offsets);
    this.#nameOffs = Uint32Array.from(nameOffs);
  }

  /** Local type count (the base's not included). */
  get count(): number {
    return this.#offsets.length;
  }

  /** Size of the string section, base's included: where a split BTF's string offsets start. */
  get stringBytes(): number {
    return (this.#base?.stringBytes ?? 0) + this.#strLen;
  }

  /** One past the largest valid type id. */
  get endId(): TypeId {
    return this.firstId + this.count;
  }

  /** The running kernel's BTF, read once per host; null when the kernel has none. */
  static vmlinux(): Btf | null {
    return perHost('btf:vmlinux', () => readBtf('/sys/kernel/btf/vmlinux', null));
  }

  /** A loaded module's split BTF (over vmlinux's); null when absent. */
  static module(name: string): Btf | null {
    if (!/^[\w-]+$/.test(name)) return null;
    return perHost(`btf:${name}`, () => {
      const base = Btf.vmlinux();
      return base ? readBtf(`/sys/kernel/btf/${name}`, base) : null;
    });
  }

  /** The string at `off` of the (combined) string section. */
  str(off: number): string {
    if (this.#base && off < this.#base.stringBytes) return this.#base.str(off);
    const local = this.#base ? off - this.#base.stringBytes : off;
    if (local >= this.#strLen) throw new BtfFormatError(`string offset ${off} out of range`);
    const s = this.#strStart + local;
    const e = this.#buf.indexOf(0, s);
    return this.#buf.toString('latin1', s, e < 0 ? this.#strStart + this.#strLen : e);
  }

  /** The type with this id, decoded (and cached). Throws on an id that does not exist. */
  type(id: TypeId): BtfType {
    if (id === 0) return VOID;
    if (id < this.firstId) {
      if (!this.#base) throw new BtfFormatError(`type id ${id} out of range`);
      return this.#base.type(id);
    }
    let t = this.#decoded.get(id);
    if (!t) {
      const i = id - this.firstId;
      if (i >= this.count) throw new BtfFormatError(`type id ${id} out of range`);
      t = decodeType(this.#buf, id, this.#offsets[i], (off) => this.str(off));
      this.#decoded.set(id, t);
    }
    return t;
  }

  /** Every type id (local and base) whose name is exactly `name`, in id order. */
  idsNamed(name: string): TypeId[] {
    if (!name) return [];
    const cached = this.#byName.get(name);
    if (cached) return cached;
    const ids = this.#base ? [...this.#base.idsNamed(name)] : [];
    const wanted = this.#nameOffsets(name);
    if (wanted.size) {
      const nameOffs = this.#nameOffs;
      for (let i = 0; i < nameOffs.length; i++) if (wanted.has(nameOffs[i])) ids.push(this.firstId + i);
    }
    if (this.#shadowBase && this.#base) ids.sort((a, b) => Number(b >= this.firstId) - Number(a >= this.firstId));
    this.#byName.set(name, ids);
    return ids;
  }

  /** Offsets at which the string `name` starts, in this BTF's strings or its base's (a split BTF's records may name either). */
  #nameOffsets(name: string): Set<number> {
    const local = this.#localNameOffsets(name);
    return this.#base ? new Set([...this.#base.#nameOffsets(name), ...local]) : local;
  }

  /** String offsets (combined numbering) at which the string `name` starts in this BTF's own section. */
  #localNameOffsets(name: string): Set<number> {
    const needle = Buffer.from(`${name}\0`, 'latin1');
    const out = new Set<number>();
    const shift = this.#base ? this.#base.stringBytes : 0;
    const end = this.#strStart + this.#strLen;
    // Any occurrence is a valid start: a string ending in `name` shares its tail only when the
    // writer merged suffixes, and a name_off pointing there still reads as `name`.
    for (let p = this.#buf.indexOf(needle, this.#strStart); p >= 0 && p < end; p = this.#buf.indexOf(needle, p + 1)) {
      out.add(p - this.#strStart + shift);
    }
    return out;
  }

  /** The first type named `name` of one of `kinds`. */
  find(name: string, ...kinds: BtfKind[]): BtfType | null {
    for (const id of this.idsNamed(name)) {
      const t = this.type(id);
      if (kinds.length === 0 || kinds.includes(t.kind)) return t;
    }
    return null;
  }

  /** `struct NAME`'s definition (a forward declaration alone gives null). */
  findStruct(name: string): StructType | null {
    return this.find(name, 'struct') as StructType | null;
  }

  findUnion(name: string): StructType | null {
    return this.find(name, 'union') as StructType | null;
  }

  findEnum(name: string): EnumType | null {
    return this.find(name, 'enum', 'enum64') as EnumType | null;
  }

  findTypedef(name: string): RefType | null {
    return this.find(name, 'typedef') as RefType | null;
  }

  /** The enum constant `name` (from any enum), as C sees it: `TCP_ESTABLISHED` → 1. */
  findEnumValue(name: string): { enum: EnumType; value: bigint } | null {
    // Enumerator names are strings too, but they are not type names: scan the enums that mention them.
    const offs = this.#nameOffsets(name);
    if (!offs.size) return null;
    const b = this.#buf;
    for (let i = 0; i < this.count; i++) {
      const p = this.#offsets[i];
      const info = b.readUInt32LE(p + 4);
      const kind = (info >>> 24) & 0x1f;
      if (kind !== 6 && kind !== 19) continue;
      const step = kind === 6 ? 8 : 12;
      for (let j = 0, vlen = info & 0xffff; j < vlen; j++) {
        if (!offs.has(b.readUInt32LE(p + TYPE_HEADER + j * step))) continue;
        const e = this.type(this.firstId + i) as EnumType;
        return { enum: e, value: e.values[j].value };
      }
    }
    return this.#base?.findEnumValue(name) ?? null;
  }

  /** A kernel function (a FUNC record) with its parameters, or null. */
  findFunc(name: string): BtfFunction | null {
    const f = this.find(name, 'func') as FuncType | null;
    if (!f) return null;
    const proto = this.type(f.proto);
    if (proto.kind !== 'func_proto') throw new BtfFormatError(`function ${name} has no prototype`);
    return { name, id: f.id, ret: proto.ret, params: proto.params, variadic: proto.variadic };
  }

  /** Names of every FUNC record in this BTF (not its base's), for wildcard matching and listing. */
  funcNames(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.count; i++) {
      const info = this.#buf.readUInt32LE(this.#offsets[i] + 4);
      if (((info >>> 24) & 0x1f) === 12) out.push(this.str(this.#nameOffs[i]));
    }
    return out;
  }

  /** Follows typedefs, const, volatile, restrict and type tags to the type underneath. */
  resolve(id: TypeId): BtfType {
    let t = this.type(id);
    for (let guard = 0; SKIPPED.has(t.kind); guard++) {
      if (guard > 64) throw new BtfFormatError(`type ${id} is a cycle of typedefs`);
      t = this.type((t as RefType).target);
    }
    return t;
  }

  /** Bytes a value of this type occupies (a pointer: 8); null for void, functions and forward declarations. */
  sizeOf(id: TypeId): number | null {
    const t = this.resolve(id);
    switch (t.kind) {
      case 'int': case 'struct': case 'union': case 'enum': case 'enum64': case 'float': case 'datasec':
        return t.size;
      case 'ptr':
        return 8;
      case 'array': {
        const e = this.sizeOf(t.elem);
        return e === null ? null : e * t.length;
      }
      default:
        return null;
    }
  }

  /**
   * The member `name` of a struct or union (its id or its type), looking through anonymous
   * struct/union members as C does; the offset is from the start of the outer struct.
   */
  member(s: TypeId | StructType, name: string): MemberLocation | null {
    const st = typeof s === 'number' ? this.resolve(s) : s;
    if (st.kind !== 'struct' && st.kind !== 'union') return null;
    for (const m of st.members) {
      if (m.name === name) return { name, type: m.type, bitOffset: m.bitOffset, bitSize: m.bitSize };
      if (m.name === '') {
        const inner = this.member(m.type, name);
        if (inner) return { ...inner, bitOffset: inner.bitOffset + m.bitOffset };
      }
    }
    return null;
  }

  /** Every member name reachable as `x.name`, anonymous members flattened: for hints. */
  memberNames(s: TypeId | StructType): string[] {
    const st = typeof s === 'number' ? this.resolve(s) : s;
    if (st.kind !== 'struct' && st.kind !== 'union') return [];
    return st.members.flatMap((m) => (m.name === '' ? this.memberNames(m.type) : [m.name]));
  }

  /** C spelling of a type: "int", "struct sock *", "const char *", "u8[16]". */
  typeName(id: TypeId): string {
    const t = this.type(id);
    switch (t.kind) {
      case 'void':
        return 'void';
      case 'int': case 'float': case 'typedef':
        return t.name;
      case 'struct': case 'union':
        return `${t.kind} ${t.name || '(anon)'}`;
      case 'enum': case 'enum64':
        return `enum ${t.name || '(anon)'}`;
      case 'fwd':
        return `${t.union ? 'union' : 'struct'} ${t.name}`;
      case 'ptr': {
        const target = this.type(t.target);
        if (target.kind === 'func_proto') return `${this.typeName(target.ret)} (*)(${target.params.map((p) => this.typeName(p.type)).join(', ')})`;
        return `${this.typeName(t.target)} *`;
      }
      case 'const': case 'volatile': case 'restrict':
        return `${t.kind} ${this.typeName(t.target)}`;
      case 'type_tag':
        return this.typeName(t.target);
      case 'array':
        return `${this.typeName(t.elem)}[${t.length}]`;
      case 'func_proto':
        return `${this.typeName(t.ret)} (${t.params.map((p) => this.typeName(p.type)).join(', ')})`;
      default:
        return t.name;
    }
  }
}

const VOID: VoidType = { kind: 'void', id: 0, name: '' };

function readBtf(path: string, base: Btf | null): Btf | null {
  let buf: Buffer;
  try {
    buf = host().readFile(path);
  } catch {
    return null;
  }
  return new Btf(buf, base);
}
