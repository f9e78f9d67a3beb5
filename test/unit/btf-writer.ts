// Encodes BTF (include/uapi/linux/btf.h, little-endian, version 1) from a few declarations, so the
// unit lane's fake kernel has a real BTF blob for common/kernel/btf.ts to parse: the same bytes a
// kernel's /sys/kernel/btf/vmlinux holds, for a handful of types.

import { BTF_MAGIC, KINDS, type BtfKind, type TypeId } from '../../common/kernel/btf';

interface Rec {
  name: string;
  kind: BtfKind;
  vlen: number;
  kindFlag: boolean;
  sizeOrType: number;
  trailer: number[];
  /** Trailer words that are string offsets, filled in at build() (index → string). */
  names: Map<number, string>;
}

export const BTF_INT_SIGNED = 1;
export const BTF_INT_CHAR = 2;
export const BTF_INT_BOOL = 4;

export class BtfWriter {
  readonly #types: Rec[] = [];

  #add(r: Omit<Rec, 'names'> & { names?: Map<number, string> }): TypeId {
    this.#types.push({ names: new Map(), ...r });
    return this.#types.length;
  }

  int(name: string, size: number, encoding = 0): TypeId {
    return this.#add({ name, kind: 'int', vlen: 0, kindFlag: false, sizeOrType: size, trailer: [(encoding << 24) | (size * 8)] });
  }

  ptr(target: TypeId): TypeId {
    return this.#add({ name: '', kind: 'ptr', vlen: 0, kindFlag: false, sizeOrType: target, trailer: [] });
  }

  typedef(name: string, target: TypeId): TypeId {
    return this.#add({ name, kind: 'typedef', vlen: 0, kindFlag: false, sizeOrType: target, trailer: [] });
  }

  const(target: TypeId): TypeId {
    return this.#add({ name: '', kind: 'const', vlen: 0, kindFlag: false, sizeOrType: target, trailer: [] });
  }

  array(elem: TypeId, index: TypeId, length: number): TypeId {
    return this.#add({ name: '', kind: 'array', vlen: 0, kindFlag: false, sizeOrType: 0, trailer: [elem, index, length] });
  }

  /** A struct whose members are set later (members may point back at it). */
  struct(name: string): TypeId {
    return this.#add({ name, kind: 'struct', vlen: 0, kindFlag: false, sizeOrType: 0, trailer: [] });
  }

  /** Members as [name, type, bit offset]; the struct's size in bytes. */
  members(id: TypeId, size: number, members: [string, TypeId, number][]): void {
    const r = this.#types[id - 1];
    r.sizeOrType = size;
    r.vlen = members.length;
    r.trailer = members.flatMap(([, type, bits]) => [0, type, bits]);
    members.forEach(([n], i) => r.names.set(i * 3, n));
  }

  enum(name: string, size: number, values: [string, number][]): TypeId {
    const names = new Map(values.map(([n], i) => [i * 2, n] as [number, string]));
    return this.#add({ name, kind: 'enum', vlen: values.length, kindFlag: false, sizeOrType: size, trailer: values.flatMap(([, v]) => [0, v >>> 0]), names });
  }

  /** A function and its prototype; params as [name, type]. */
  func(name: string, ret: TypeId, params: [string, TypeId][]): TypeId {
    const names = new Map(params.map(([n], i) => [i * 2, n] as [number, string]));
    const proto = this.#add({ name: '', kind: 'func_proto', vlen: params.length, kindFlag: false, sizeOrType: ret, trailer: params.flatMap(([, t]) => [0, t]), names });
    // vlen 1: global linkage.
    return this.#add({ name, kind: 'func', vlen: 1, kindFlag: false, sizeOrType: proto, trailer: [] });
  }

  build(): Buffer {
    const strings: string[] = [''];
    const offsets = new Map<string, number>([['', 0]]);
    let strLen = 1;
    const str = (s: string): number => {
      if (!offsets.has(s)) {
        offsets.set(s, strLen);
        strings.push(s);
        strLen += Buffer.byteLength(s) + 1;
      }
      return offsets.get(s)!;
    };
    const words: number[] = [];
    for (const r of this.#types) {
      const kind = KINDS.indexOf(r.kind);
      words.push(str(r.name), (r.kindFlag ? 1 << 31 : 0) | (kind << 24) | r.vlen, r.sizeOrType);
      words.push(...r.trailer.map((w, i) => (r.names.has(i) ? str(r.names.get(i)!) : w)));
    }
    const types = Buffer.alloc(words.length * 4);
    words.forEach((w, i) => types.writeUInt32LE(w >>> 0, i * 4));
    const strs = Buffer.from(`${strings.join('\0')}\0`, 'latin1');
    const hdr = Buffer.alloc(24);
    hdr.writeUInt16LE(BTF_MAGIC, 0);
    hdr[2] = 1;
    hdr.writeUInt32LE(24, 4);
    hdr.writeUInt32LE(0, 8);
    hdr.writeUInt32LE(types.length, 12);
    hdr.writeUInt32LE(types.length, 16);
    hdr.writeUInt32LE(strs.length, 20);
    return Buffer.concat([hdr, types, strs]);
  }
}
