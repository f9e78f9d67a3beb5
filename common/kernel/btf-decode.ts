// Decoding of one BTF type record into its plain form, and the size of each kind's trailer: the
// byte-level half of the BTF reader (btf.ts), which walks and indexes the records.

import { BtfFormatError, KINDS, type BtfMember, type BtfParam, type BtfType, type TypeId } from './btf-types';

export const TYPE_HEADER = 12;

export function decodeType(b: Buffer, id: TypeId, p: number, str: (off: number) => string): BtfType {
  const name = str(b.readUInt32LE(p));
  const info = b.readUInt32LE(p + 4);
  const vlen = info & 0xffff;
  const kindFlag = info >>> 31 === 1;
  const kind = KINDS[(info >>> 24) & 0x1f];
  const sizeOrType = b.readUInt32LE(p + 8);
  const q = p + TYPE_HEADER;
  switch (kind) {
    case 'int': {
      const enc = b.readUInt32LE(q);
      const e = (enc >>> 24) & 0x0f;
      return { kind, id, name, size: sizeOrType, bits: enc & 0xff, offset: (enc >>> 16) & 0xff, signed: (e & 1) !== 0, char: (e & 2) !== 0, bool: (e & 4) !== 0 };
    }
    case 'ptr':
      return { kind, id, name: '', target: sizeOrType };
    case 'array':
      return { kind, id, name: '', elem: b.readUInt32LE(q), index: b.readUInt32LE(q + 4), length: b.readUInt32LE(q + 8) };
    case 'struct': case 'union': {
      const members: BtfMember[] = [];
      for (let i = 0; i < vlen; i++) {
        const m = q + i * 12;
        const off = b.readUInt32LE(m + 8);
        members.push({
          name: str(b.readUInt32LE(m)),
          type: b.readUInt32LE(m + 4),
          // With kind_flag the offset word packs the bitfield width above a 24-bit offset.
          bitOffset: kindFlag ? off & 0xffffff : off,
          bitSize: kindFlag ? off >>> 24 : 0,
        });
      }
      return { kind, id, name, size: sizeOrType, members };
    }
    case 'enum': case 'enum64': {
      const values: { name: string; value: bigint }[] = [];
      const step = kind === 'enum' ? 8 : 12;
      for (let i = 0; i < vlen; i++) {
        const e = q + i * step;
        let value: bigint;
        if (kind === 'enum') value = BigInt(kindFlag ? b.readInt32LE(e + 4) : b.readUInt32LE(e + 4));
        else {
          value = (BigInt(b.readUInt32LE(e + 8)) << 32n) | BigInt(b.readUInt32LE(e + 4));
          if (kindFlag) value = BigInt.asIntN(64, value);
        }
        values.push({ name: str(b.readUInt32LE(e)), value });
      }
      return { kind, id, name, size: sizeOrType, signed: kindFlag, values };
    }
    case 'fwd':
      return { kind, id, name, union: kindFlag };
    case 'typedef': case 'volatile': case 'const': case 'restrict': case 'type_tag':
      return { kind, id, name, target: sizeOrType };
    case 'func':
      return { kind, id, name, proto: sizeOrType, linkage: (['static', 'global', 'extern'] as const)[vlen] ?? 'global' };
    case 'func_proto': {
      const params: BtfParam[] = [];
      let variadic = false;
      for (let i = 0; i < vlen; i++) {
        const ptype = b.readUInt32LE(q + i * 8 + 4);
        // A trailing parameter of type void marks `...`.
        if (ptype === 0 && i === vlen - 1) variadic = true;
        else params.push({ name: str(b.readUInt32LE(q + i * 8)), type: ptype });
      }
      return { kind, id, name: '', ret: sizeOrType, params, variadic };
    }
    case 'var':
      return { kind, id, name, type: sizeOrType, linkage: b.readUInt32LE(q) };
    case 'datasec': {
      const vars = [];
      for (let i = 0; i < vlen; i++) {
        const v = q + i * 12;
        vars.push({ type: b.readUInt32LE(v), offset: b.readUInt32LE(v + 4), size: b.readUInt32LE(v + 8) });
      }
      return { kind, id, name, size: sizeOrType, vars };
    }
    case 'float':
      return { kind, id, name, size: sizeOrType };
    case 'decl_tag':
      return { kind, id, name, target: sizeOrType, componentIdx: b.readInt32LE(q) };
    default:
      throw new BtfFormatError(`type ${id} has an unknown kind ${(info >>> 24) & 0x1f}`);
  }
}

/** Bytes that follow the 12-byte header of the type record at `p`, by kind. */
export function trailerSize(b: Buffer, p: number): number {
  const info = b.readUInt32LE(p + 4);
  const vlen = info & 0xffff;
  switch ((info >>> 24) & 0x1f) {
    case 1: return 4; // int: encoding word
    case 3: return 12; // array
    case 4: case 5: return vlen * 12; // struct, union: members
    case 6: return vlen * 8; // enum
    case 13: return vlen * 8; // func_proto: params
    case 14: return 4; // var: linkage
    case 15: return vlen * 12; // datasec: var_secinfo
    case 17: return 4; // decl_tag: component_idx
    case 19: return vlen * 12; // enum64
    case 2: case 7: case 8: case 9: case 10: case 11: case 12: case 16: case 18:
      return 0;
    default:
      throw new BtfFormatError(`unknown BTF kind ${(info >>> 24) & 0x1f} at byte ${p}`);
  }
}
