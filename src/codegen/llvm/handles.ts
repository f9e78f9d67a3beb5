// The handle types of the typed LLVM layer: branded BigInts, so a type can't be passed where a
// value is expected; the enums of the C API this layer uses; and its one error type.

declare const brand: unique symbol;
type Handle<B extends string> = bigint & { readonly [brand]: B };
export type Ty = Handle<'type'>;
export type Val = Handle<'value'>;
export type Block = Handle<'block'>;
export type Fn = Handle<'value'> & { readonly fn: true };
export type Meta = Handle<'metadata'>;

export class LLVMError extends Error {
  constructor(
    readonly stage: 'verify' | 'passes' | 'emit' | 'target',
    message: string,
  ) {
    super(`LLVM ${stage}: ${message}`);
    this.name = 'LLVMError';
  }
}

export const enum Opcode {
  Add = 8, Sub = 10, Mul = 12, UDiv = 14, SDiv = 15, URem = 17, SRem = 18,
  Shl = 20, LShr = 21, AShr = 22, And = 23, Or = 24, Xor = 25,
}
export const enum IntPredicate { EQ = 32, NE, UGT, UGE, ULT, ULE, SGT, SGE, SLT, SLE }
export const enum Linkage { External = 0, Internal = 8, Private = 9 }
