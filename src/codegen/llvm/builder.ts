// The instruction builder: blocks, memory, arithmetic, branches, calls of BPF helpers by id.

import type { Context } from './context';
import type { Block, Fn, IntPredicate, Meta, Opcode, Ty, Val } from './handles';
import { lib } from './lib';

export class Builder {
  readonly handle: bigint;
  constructor(readonly ctx: Context) {
    this.handle = lib().LLVMCreateBuilderInContext(ctx.handle);
  }
  dispose(): void {
    lib().LLVMDisposeBuilder(this.handle);
  }
  appendBlock(f: Fn, name = ''): Block {
    return lib().LLVMAppendBasicBlockInContext(this.ctx.handle, f, name);
  }
  positionAtEnd(bb: Block): void {
    lib().LLVMPositionBuilderAtEnd(this.handle, bb);
  }
  get insertBlock(): Block {
    return lib().LLVMGetInsertBlock(this.handle);
  }
  get currentFunction(): Fn {
    return lib().LLVMGetBasicBlockParent(this.insertBlock);
  }
  /** True when the current block already ends in a branch or return. */
  get terminated(): boolean {
    return lib().LLVMGetBasicBlockTerminator(this.insertBlock) !== null;
  }
  setDebugLocation(loc: Meta | null): void {
    lib().LLVMSetCurrentDebugLocation2(this.handle, loc);
  }
  /** Allocas go in the entry block so LLVM promotes and the verifier sees fixed stack slots. */
  alloca(t: Ty, name = ''): Val {
    const l = lib();
    const here = this.insertBlock;
    // Repositioning drops the builder's debug location; keep it so later code keeps its line.
    const loc = l.LLVMGetCurrentDebugLocation2(this.handle);
    const entry = l.LLVMGetFirstBasicBlock(this.currentFunction);
    const first = l.LLVMGetFirstInstruction(entry);
    if (first) l.LLVMPositionBuilderBefore(this.handle, first);
    else l.LLVMPositionBuilderAtEnd(this.handle, entry);
    const a = l.LLVMBuildAlloca(this.handle, t, name);
    l.LLVMPositionBuilderAtEnd(this.handle, here);
    l.LLVMSetCurrentDebugLocation2(this.handle, loc);
    return a;
  }
  store(v: Val, p: Val): Val {
    return lib().LLVMBuildStore(this.handle, v, p);
  }
  load(t: Ty, p: Val, name = '', volatile = false): Val {
    const v = lib().LLVMBuildLoad2(this.handle, t, p, name);
    if (volatile) lib().LLVMSetVolatile(v, 1);
    return v;
  }
  gep(t: Ty, p: Val, indices: Val[], name = ''): Val {
    return lib().LLVMBuildGEP2(this.handle, t, p, indices, indices.length, name);
  }
  structGep(t: Ty, p: Val, i: number, name = ''): Val {
    return lib().LLVMBuildStructGEP2(this.handle, t, p, i, name);
  }
  /** Pointer to byte `offset` of `p`, typed as a pointer to `as`. */
  byteOffset(p: Val, offset: number, as: Ty): Val {
    const i8 = this.ctx.int(8);
    const base = this.bitcast(p, this.ctx.ptr(i8));
    const q = offset ? this.gep(i8, base, [this.ctx.constInt(this.ctx.int(64), offset)]) : base;
    return this.bitcast(q, this.ctx.ptr(as));
  }
  binop(op: Opcode, a: Val, b: Val, name = ''): Val {
    return lib().LLVMBuildBinOp(this.handle, op, a, b, name);
  }
  icmp(pred: IntPredicate, a: Val, b: Val, name = ''): Val {
    return lib().LLVMBuildICmp(this.handle, pred, a, b, name);
  }
  neg(v: Val): Val {
    return lib().LLVMBuildNeg(this.handle, v, '');
  }
  not(v: Val): Val {
    return lib().LLVMBuildNot(this.handle, v, '');
  }
  intCast(v: Val, t: Ty, signed: boolean): Val {
    return lib().LLVMBuildIntCast2(this.handle, v, t, signed ? 1 : 0, '');
  }
  ptrToInt(v: Val, t: Ty): Val {
    return lib().LLVMBuildPtrToInt(this.handle, v, t, '');
  }
  intToPtr(v: Val, t: Ty): Val {
    return lib().LLVMBuildIntToPtr(this.handle, v, t, '');
  }
  bitcast(v: Val, t: Ty): Val {
    return lib().LLVMBuildBitCast(this.handle, v, t, '');
  }
  select(c: Val, a: Val, b: Val): Val {
    return lib().LLVMBuildSelect(this.handle, c, a, b, '');
  }
  phi(t: Ty, incoming: [Val, Block][]): Val {
    const p = lib().LLVMBuildPhi(this.handle, t, '');
    lib().LLVMAddIncoming(p, incoming.map((i) => i[0]), incoming.map((i) => i[1]), incoming.length);
    return p;
  }
  call(fnTy: Ty, fn: Val, args: Val[], name = ''): Val {
    return lib().LLVMBuildCall2(this.handle, fnTy, fn, args, args.length, name);
  }
  /** Calls BPF helper number `id`: helpers are called through a constant address, as clang does. */
  helper(id: number, ret: Ty, params: Ty[], args: Val[], name = ''): Val {
    const ft = this.ctx.fnType(ret, params);
    const callee = this.ctx.constIntToPtr(this.ctx.constInt(this.ctx.int(64), id), this.ctx.ptr(ft));
    return this.call(ft, callee, args, name);
  }
  condBr(c: Val, t: Block, e: Block): void {
    lib().LLVMBuildCondBr(this.handle, c, t, e);
  }
  br(dest: Block): void {
    lib().LLVMBuildBr(this.handle, dest);
  }
  ret(v: Val): void {
    lib().LLVMBuildRet(this.handle, v);
  }
  unreachable(): void {
    lib().LLVMBuildUnreachable(this.handle);
  }
  memset(p: Val, byte: number, len: number, align = 1): void {
    const c = this.ctx;
    lib().LLVMBuildMemSet(this.handle, p, c.constInt(c.int(8), byte), c.constInt(c.int(64), len), align);
  }
  memcpy(dst: Val, src: Val, len: number, align = 1): void {
    const c = this.ctx;
    lib().LLVMBuildMemCpy(this.handle, dst, align, src, align, c.constInt(c.int(64), len));
  }
}
