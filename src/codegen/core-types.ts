// The debug-info description of one relocated kernel member read (see llvm/core.ts): a struct
// of the kernel struct's name holding that member only, typed by its kind, which is what libbpf
// compares with the running kernel's member, at the build kernel's offset (the backend names a
// relocation by type, offset and access path: members at offset 0 of one-member structs would
// all be one relocation). One per (struct, member) and debug-info builder.

import { DW_ATE_signed, DW_ATE_signed_char, type DIBuilder, type Meta } from './llvm';
import type { CoreMember } from '../semantic/core-member';

const made = new WeakMap<DIBuilder, Map<string, Meta>>();

function memberType(di: DIBuilder, shape: CoreMember): { type: Meta; bits: number } {
  switch (shape.kind) {
    case 'int':
      return { type: di.basic(`__s${shape.bits}`, shape.bits, DW_ATE_signed), bits: shape.bits };
    case 'ptr':
      return { type: di.pointer(null), bits: 64 };
    case 'array':
      return { type: di.array(di.basic('char', shape.elemBits, DW_ATE_signed_char), shape.elemBits, shape.count), bits: shape.elemBits * shape.count };
    case 'record':
      // Composite members match by kind alone; an empty one of the same name is enough.
      return { type: di.struct(shape.name, shape.bits, []), bits: shape.bits };
  }
}

/** `struct` is as BTF names it ("struct task_struct"). */
export function coreStructType(di: DIBuilder, struct: string, member: string, shape: CoreMember, offset: number): Meta {
  let byKey = made.get(di);
  if (!byKey) made.set(di, (byKey = new Map()));
  const key = `${struct}.${member}`;
  const hit = byKey.get(key);
  if (hit) return hit;
  const { type, bits } = memberType(di, shape);
  const t = di.struct(struct.replace(/^struct /, ''), offset * 8 + bits, [{ name: member, type, bits, offsetBits: offset * 8 }]);
  byKey.set(key, t);
  return t;
}
