// CO-RE member access: `base + offset of MEMBER in STRUCT` as a call of
// llvm.preserve.struct.access.index tagged with a debug-info struct, which the BPF backend turns
// into a field-offset relocation (.BTF.ext) that libbpf resolves against the running kernel's BTF
// at load. The debug-info struct holds only the member read: libbpf matches members by name.

import type { Builder } from './builder';
import type { Meta, Val } from './handles';
import { lib } from './lib';
import type { Module } from './module';

const INTRINSIC = 'llvm.preserve.struct.access.index';

/** The address of member 0 of `diStruct` at the address `base` (an i64), relocatable; an i64. */
export function preserveStructAccess(m: Module, b: Builder, base: Val, diStruct: Meta): Val {
  const l = lib();
  const c = m.ctx;
  // Any IR struct does: the backend computes the offset from the debug-info type, not from this.
  const irStruct = c.struct([c.int(8)]);
  const basePtr = c.ptr(irStruct);
  const ret = c.ptr(c.int(8));
  const id = l.LLVMLookupIntrinsicID(INTRINSIC, INTRINSIC.length);
  const decl = l.LLVMGetIntrinsicDeclaration(m.handle, id, [ret, basePtr], 2);
  const fnTy = l.LLVMIntrinsicGetType(c.handle, id, [ret, basePtr], 2);
  const i32 = c.int(32);
  const call = b.call(fnTy, decl, [b.intToPtr(base, basePtr), c.constInt(i32, 0), c.constInt(i32, 0)]);
  const elementtype = l.LLVMGetEnumAttributeKindForName('elementtype', 11);
  l.LLVMAddCallSiteAttribute(call, 1, l.LLVMCreateTypeAttribute(c.handle, elementtype, irStruct));
  l.LLVMSetMetadata(call, c.mdKind('llvm.preserve.access.index'), l.LLVMMetadataAsValue(c.handle, diStruct));
  return b.ptrToInt(call, c.int(64));
}
