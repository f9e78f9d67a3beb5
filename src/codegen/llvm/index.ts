// Typed layer over the LLVM-C API (./ffi.ts). Handles are branded BigInts so a type can't be passed
// where a value is expected; objects own their LLVM resources and dispose them explicitly. The rest
// of the compiler imports it from here; only this folder talks to libLLVM.

export { LLVMError, IntPredicate, Linkage, Opcode, type Block, type Fn, type Meta, type Ty, type Val } from './handles';
export { Context, TargetMachine } from './context';
export { Module, type GlobalOptions } from './module';
export { Builder } from './builder';
export { preserveStructAccess } from './core';
export { DIBuilder, DW_ATE_boolean, DW_ATE_signed, DW_ATE_signed_char, DW_ATE_unsigned } from './debug-info';
