// An LLVM module: globals and functions, then verification, the optimisation pipeline, a block
// layout the BPF backend can branch across, and the ELF object.

import { LLVMError, type Fn, type Linkage, type Meta, type Ty, type Val } from './handles';
import { TargetMachine, type Context } from './context';
import { lib, takeMessage } from './lib';

export interface GlobalOptions {
  init?: Val;
  section?: string;
  align?: number;
  constant?: boolean;
  linkage?: Linkage;
}

export class Module {
  readonly handle: bigint;
  constructor(
    readonly ctx: Context,
    name: string,
  ) {
    const l = lib();
    this.handle = l.LLVMModuleCreateWithNameInContext(name, ctx.handle);
    const tm = TargetMachine.get();
    l.LLVMSetTarget(this.handle, 'bpfel');
    l.LLVMSetModuleDataLayout(this.handle, l.LLVMCreateTargetDataLayout(tm.handle));
  }
  addFlag(key: string, value: number): void {
    const v = lib().LLVMValueAsMetadata(this.ctx.constInt(this.ctx.int(32), value));
    lib().LLVMAddModuleFlag(this.handle, 1 /* warning on conflict */, key, key.length, v);
  }
  addGlobal(t: Ty, name: string, o: GlobalOptions = {}): Val {
    const l = lib();
    const g = l.LLVMAddGlobal(this.handle, t, name);
    l.LLVMSetInitializer(g, o.init ?? this.ctx.constNull(t));
    if (o.section) l.LLVMSetSection(g, o.section);
    if (o.align) l.LLVMSetAlignment(g, o.align);
    if (o.constant) l.LLVMSetGlobalConstant(g, 1);
    if (o.linkage !== undefined) l.LLVMSetLinkage(g, o.linkage);
    return g;
  }
  setMetadata(g: Val, kind: string, md: Meta): void {
    lib().LLVMGlobalSetMetadata(g, this.ctx.mdKind(kind), md);
  }
  addFunction(name: string, fnTy: Ty, section?: string): Fn {
    const l = lib();
    const f = l.LLVMAddFunction(this.handle, name, fnTy);
    if (section) l.LLVMSetSection(f, section);
    l.LLVMAddAttributeAtIndex(f, -1, this.ctx.enumAttribute('nounwind'));
    return f;
  }
  /** A function declared by name only (an LLVM intrinsic such as llvm.bpf.passthrough), once. */
  declareFunction(name: string, fnTy: Ty): Fn {
    const l = lib();
    return l.LLVMGetNamedFunction(this.handle, name) || l.LLVMAddFunction(this.handle, name, fnTy);
  }
  setLinkage(g: Val, linkage: Linkage): void {
    lib().LLVMSetLinkage(g, linkage);
  }
  param(f: Fn, i: number): Val {
    return lib().LLVMGetParam(f, i);
  }
  sizeOfType(t: Ty): number {
    const l = lib();
    return Number(l.LLVMABISizeOfType(l.LLVMCreateTargetDataLayout(TargetMachine.get().handle), t));
  }
  toString(): string {
    return takeMessage(lib().LLVMPrintModuleToString(this.handle));
  }
  /** Throws LLVMError when the module is malformed: Debian's LLVM has no assertions, so bad IR would crash later. */
  verify(): void {
    const msg: [bigint | null] = [null];
    const bad = lib().LLVMVerifyModule(this.handle, 2 /* return status */, msg);
    const text = takeMessage(msg[0]);
    if (bad) throw new LLVMError('verify', text);
  }
  optimize(pipeline = 'default<O2>'): void {
    const l = lib();
    const opts = l.LLVMCreatePassBuilderOptions();
    const e = l.LLVMRunPasses(this.handle, pipeline, TargetMachine.get().handle, opts);
    l.LLVMDisposePassBuilderOptions(opts);
    if (e) throw new LLVMError('passes', takeMessage(l.LLVMGetErrorMessage(e)));
  }
  /**
   * Lays out every function's blocks for the BPF backend, which has no branch relaxation: a jump
   * further than 32,767 instructions is a fatal error. Blocks go in reverse post-order, so a
   * block comes after all its predecessors (the cold side of an `if` sits next to it, not at the
   * end of the function, where LLVM's own placement keeps the IR's order); and a branch to a block
   * that only returns gets a copy of that block right after it, since the optimiser merged every
   * return of the function into one block, which may be thousands of instructions away.
   */
  layoutForBpf(): void {
    const l = lib();
    const RET = 1;
    for (let f = l.LLVMGetFirstFunction(this.handle); f; f = l.LLVMGetNextFunction(f)) {
      const entry = l.LLVMGetFirstBasicBlock(f);
      if (!entry) continue;
      const succs = (bb: bigint): bigint[] => {
        const t = l.LLVMGetBasicBlockTerminator(bb);
        if (!t) return [];
        const n = l.LLVMGetNumSuccessors(t);
        const out: bigint[] = [];
        for (let i = 0; i < n; i++) out.push(l.LLVMGetSuccessor(t, i));
        return out;
      };
      // Iterative DFS: programs of thousands of statements have tens of thousands of blocks.
      const post: bigint[] = [];
      const seen = new Set<bigint>([entry]);
      const stack: { bb: bigint; next: bigint[] }[] = [{ bb: entry, next: succs(entry).reverse() }];
      while (stack.length) {
        const top = stack[stack.length - 1];
        const s = top.next.pop();
        if (s === undefined) {
          post.push(top.bb);
          stack.pop();
        } else if (!seen.has(s)) {
          seen.add(s);
          stack.push({ bb: s, next: succs(s).reverse() });
        }
      }
      const order = post.reverse();
      for (let i = 1; i < order.length; i++) l.LLVMMoveBasicBlockAfter(order[i], order[i - 1]);
      const returnsOnly = (bb: bigint): bigint | null => {
        const first = l.LLVMGetFirstInstruction(bb);
        if (!first || l.LLVMGetInstructionOpcode(first) !== RET || l.LLVMGetNumOperands(first) !== 1) return null;
        const v = l.LLVMGetOperand(first, 0);
        return l.LLVMIsConstant(v) ? v : null;
      };
      const b = l.LLVMCreateBuilderInContext(this.ctx.handle);
      try {
        for (const bb of order) {
          const t = l.LLVMGetBasicBlockTerminator(bb);
          if (!t || l.LLVMGetInstructionOpcode(t) === RET) continue;
          const n = l.LLVMGetNumSuccessors(t);
          let after = bb;
          for (let i = 0; i < n; i++) {
            const s = l.LLVMGetSuccessor(t, i);
            const v = returnsOnly(s);
            if (v === null || s === l.LLVMGetNextBasicBlock(bb)) continue;
            const copy = l.LLVMAppendBasicBlockInContext(this.ctx.handle, f, 'ret');
            l.LLVMMoveBasicBlockAfter(copy, after);
            after = copy;
            l.LLVMPositionBuilderAtEnd(b, copy);
            l.LLVMBuildRet(b, v);
            l.LLVMSetSuccessor(t, i, copy);
          }
        }
      } finally {
        l.LLVMDisposeBuilder(b);
      }
    }
  }

  /** Emits an ELF object; backend errors reported through the diagnostic handler become an LLVMError. */
  emitObject(): Buffer {
    const l = lib();
    const err: [bigint | null] = [null];
    const buf: [bigint | null] = [null];
    const before = this.ctx.diagnostics.length;
    const failed = l.LLVMTargetMachineEmitToMemoryBuffer(TargetMachine.get().handle, this.handle, 1, err, buf);
    const diags = this.ctx.diagnostics.slice(before).filter((d) => d.severity === 0);
    if (failed || diags.length) {
      if (buf[0]) l.LLVMDisposeMemoryBuffer(buf[0]);
      throw new LLVMError('emit', [takeMessage(err[0]), ...diags.map((d) => d.message)].filter(Boolean).join('\n'));
    }
    const size = Number(l.LLVMGetBufferSize(buf[0]));
    // Copy out: the view aliases LLVM's memory, which is freed just below.
    const out = Buffer.alloc(size);
    out.set(new Uint8Array(l.koffi.view(l.LLVMGetBufferStart(buf[0]), size) as ArrayBuffer));
    l.LLVMDisposeMemoryBuffer(buf[0]);
    return out;
  }
  dispose(): void {
    lib().LLVMDisposeModule(this.handle);
  }
}
