// Typed layer over the LLVM-C API (./ffi.ts). Handles are branded BigInts so a type can't be passed
// where a value is expected; objects own their LLVM resources and dispose them explicitly.

import { writeSync } from 'node:fs';
import { llvmRaw, type RawLLVM } from './ffi';

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

let L: RawLLVM;
function lib(): RawLLVM {
  if (!L) {
    L = llvmRaw();
    installFatalHandler(L);
  }
  return L;
}

/** Known causes of LLVM's fatal errors, and what the user can do about each. */
const FATAL_HINTS: [RegExp, string][] = [
  [/Branch target out of insn range/, 'a probe is too long for BPF jumps (at most 32,767 instructions apart): split its statements over several probes'],
];

/**
 * LLVM reports some backend failures with report_fatal_error, which prints its own text and aborts
 * the process. Control cannot come back to the compiler from there (LLVM aborts once the handler
 * returns), so the handler says once, in our format, what failed and ends the process with status
 * 1 itself; nothing is loaded in the kernel yet while we compile.
 */
function installFatalHandler(l: RawLLVM): void {
  const handler = l.koffi.register((reason: string) => {
    try {
      const hint = FATAL_HINTS.find(([re]) => re.test(reason))?.[1] ?? 'this is a bpfscript bug; please report it with the script that caused it';
      writeSync(2, `ERROR: LLVM could not compile the program: ${reason}\nHINT: ${hint}\n`);
    } catch {
      // never let an exception escape into C
    }
    process.exit(1);
  }, l.koffi.pointer('LLVMFatalErrorHandler'));
  l.LLVMInstallFatalErrorHandler(handler);
}

function takeMessage(p: bigint | null): string {
  if (!p) return '';
  const s = (lib().koffi.decode as unknown as { string(p: bigint): string }).string(p);
  lib().LLVMDisposeMessage(p);
  return s;
}

export const enum Opcode {
  Add = 8, Sub = 10, Mul = 12, UDiv = 14, SDiv = 15, URem = 17, SRem = 18,
  Shl = 20, LShr = 21, AShr = 22, And = 23, Or = 24, Xor = 25,
}
export const enum IntPredicate { EQ = 32, NE, UGT, UGE, ULT, ULE, SGT, SGE, SLT, SLE }
export const enum Linkage { External = 0, Internal = 8, Private = 9 }

/** The BPF target machine: created once per process (target init is the costly part). */
export class TargetMachine {
  private static instance: TargetMachine | null = null;
  private constructor(readonly handle: bigint) {}
  static get(): TargetMachine {
    if (this.instance) return this.instance;
    const l = lib();
    l.LLVMInitializeBPFTargetInfo();
    l.LLVMInitializeBPFTarget();
    l.LLVMInitializeBPFTargetMC();
    l.LLVMInitializeBPFAsmPrinter();
    const t: [bigint | null] = [null];
    const err: [bigint | null] = [null];
    if (l.LLVMGetTargetFromTriple('bpfel', t, err)) throw new LLVMError('target', takeMessage(err[0]));
    // -mcpu=v3 gives 32-bit jumps and ALU32, which every kernel with ring buffers (5.8+) has.
    const tm = l.LLVMCreateTargetMachine(t[0], 'bpfel', 'v3', '', 2, 0, 0);
    this.instance = new TargetMachine(tm);
    return this.instance;
  }
  get version(): number {
    return lib().version;
  }
}

export class Context {
  readonly handle: bigint;
  /** Backend diagnostics (errors and warnings) reported while this context was in use. */
  readonly diagnostics: { severity: number; message: string }[] = [];
  private handler: unknown;
  private cache = new Map<string, Ty>();

  constructor() {
    const l = lib();
    this.handle = l.LLVMContextCreate();
    // Without a handler LLVM prints and exit(1)s the whole process on a backend error.
    this.handler = l.koffi.register((di: bigint) => {
      try {
        this.diagnostics.push({
          severity: l.LLVMGetDiagInfoSeverity(di),
          message: takeMessage(l.LLVMGetDiagInfoDescription(di)),
        });
      } catch {
        // never let an exception escape into C
      }
    }, l.koffi.pointer('LLVMDiagHandler'));
    l.LLVMContextSetDiagnosticHandler(this.handle, this.handler, null);
  }

  dispose(): void {
    lib().LLVMContextDispose(this.handle);
    lib().koffi.unregister(this.handler as never);
  }

  int(bits: number): Ty {
    const k = `i${bits}`;
    const hit = this.cache.get(k);
    if (hit) return hit;
    const t: Ty = lib().LLVMIntTypeInContext(this.handle, bits);
    this.cache.set(k, t);
    return t;
  }
  get void(): Ty {
    return lib().LLVMVoidTypeInContext(this.handle);
  }
  ptr(elem: Ty): Ty {
    return lib().LLVMPointerType(elem, 0);
  }
  array(elem: Ty, n: number): Ty {
    return lib().LLVMArrayType(elem, n);
  }
  struct(elems: Ty[], packed = false): Ty {
    return lib().LLVMStructTypeInContext(this.handle, elems, elems.length, packed ? 1 : 0);
  }
  namedStruct(name: string, elems: Ty[]): Ty {
    const s = lib().LLVMStructCreateNamed(this.handle, name);
    lib().LLVMStructSetBody(s, elems, elems.length, 0);
    return s;
  }
  fnType(ret: Ty, params: Ty[]): Ty {
    return lib().LLVMFunctionType(ret, params, params.length, 0);
  }
  constInt(t: Ty, v: bigint | number): Val {
    // LLVMConstInt takes the low 64 bits; negative numbers go in as two's complement.
    return lib().LLVMConstInt(t, BigInt.asUintN(64, BigInt(v)), 0);
  }
  constNull(t: Ty): Val {
    return lib().LLVMConstNull(t);
  }
  constString(s: Buffer | string, nulTerminate = true): Val {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    return lib().LLVMConstStringInContext(this.handle, b, b.length, nulTerminate ? 0 : 1);
  }
  constIntToPtr(v: Val, t: Ty): Val {
    return lib().LLVMConstIntToPtr(v, t);
  }
  typeOf(v: Val): Ty {
    return lib().LLVMTypeOf(v);
  }
  intWidth(t: Ty): number {
    return lib().LLVMGetIntTypeWidth(t);
  }
  enumAttribute(name: string, value = 0n): bigint {
    const kind = lib().LLVMGetEnumAttributeKindForName(name, name.length);
    return lib().LLVMCreateEnumAttribute(this.handle, kind, value);
  }
  mdKind(name: string): number {
    return lib().LLVMGetMDKindIDInContext(this.handle, name, name.length);
  }
}

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

const DW_LANG_C99 = 11; // LLVMDWARFSourceLanguageC99 in the C API's enum
export const DW_ATE_signed = 5;
export const DW_ATE_unsigned = 8;
export const DW_ATE_boolean = 2;
export const DW_ATE_signed_char = 6;

/** Debug info builder: LLVM's BPF backend turns it into the BTF that libbpf and the verifier need. */
export class DIBuilder {
  readonly handle: bigint;
  readonly file: Meta;
  readonly cu: Meta;
  constructor(
    readonly module: Module,
    fileName: string,
    dir = '.',
  ) {
    const l = lib();
    this.handle = l.LLVMCreateDIBuilder(module.handle);
    module.addFlag('Debug Info Version', 3);
    module.addFlag('Dwarf Version', 4);
    this.file = l.LLVMDIBuilderCreateFile(this.handle, fileName, byteLen(fileName), dir, byteLen(dir));
    const prod = 'bpfscript';
    this.cu = l.LLVMDIBuilderCreateCompileUnit(
      this.handle, DW_LANG_C99, this.file, prod, prod.length, 1, '', 0, 0, '', 0, 1 /* full */, 0, 0, 0, '', 0, '', 0,
    );
  }
  basic(name: string, bits: number, encoding: number): Meta {
    return lib().LLVMDIBuilderCreateBasicType(this.handle, name, name.length, BigInt(bits), encoding, 0);
  }
  typedef(t: Meta, name: string): Meta {
    return lib().LLVMDIBuilderCreateTypedef(this.handle, t, name, name.length, this.file, 0, this.cu, 0);
  }
  pointer(to: Meta | null): Meta {
    return lib().LLVMDIBuilderCreatePointerType(this.handle, to, 64n, 0, 0, '', 0);
  }
  array(elem: Meta, elemBits: number, count: number): Meta {
    const l = lib();
    const sub = l.LLVMDIBuilderGetOrCreateSubrange(this.handle, 0n, BigInt(count));
    return l.LLVMDIBuilderCreateArrayType(this.handle, BigInt(elemBits * count), 0, elem, [sub], 1);
  }
  struct(name: string, bits: number, members: { name: string; type: Meta; bits: number; offsetBits: number }[]): Meta {
    const l = lib();
    const ms = members.map((m) =>
      l.LLVMDIBuilderCreateMemberType(
        this.handle, this.file, m.name, byteLen(m.name), this.file, 0, BigInt(m.bits), 0, BigInt(m.offsetBits), 0, m.type,
      ),
    );
    return l.LLVMDIBuilderCreateStructType(
      this.handle, this.file, name, byteLen(name), this.file, 0, BigInt(bits), 0, 0, null, ms, ms.length, 0, null, '', 0,
    );
  }
  globalVariable(g: Val, name: string, type: Meta, line = 0): void {
    const l = lib();
    const expr = l.LLVMDIBuilderCreateExpression(this.handle, [], 0);
    const gve = l.LLVMDIBuilderCreateGlobalVariableExpression(
      this.handle, this.cu, name, byteLen(name), name, byteLen(name), this.file, line, type, 0, expr, null, 0,
    );
    this.module.setMetadata(g, 'dbg', gve);
  }
  /**
   * Attaches a subprogram to `f` so the object carries BTF func info and line info for it. `local`:
   * static in C, which BTF records (BPF callbacks must be static).
   */
  function(f: Fn, name: string, line: number, ret: Meta, params: { name: string; type: Meta }[], local = false): Meta {
    const l = lib();
    const sty = l.LLVMDIBuilderCreateSubroutineType(this.handle, this.file, [ret, ...params.map((p) => p.type)], params.length + 1, 0);
    const sp = l.LLVMDIBuilderCreateFunction(
      this.handle, this.file, name, byteLen(name), name, byteLen(name), this.file, line, sty, local ? 1 : 0, 1, line, 1 << 8 /* prototyped */, 1,
    );
    l.LLVMSetSubprogram(f, sp);
    params.forEach((p, i) =>
      l.LLVMDIBuilderCreateParameterVariable(this.handle, sp, p.name, byteLen(p.name), i + 1, this.file, line, p.type, 1, 0),
    );
    return sp;
  }
  location(line: number, col: number, scope: Meta): Meta {
    return lib().LLVMDIBuilderCreateDebugLocation(this.module.ctx.handle, line, col, scope, null);
  }
  finalizeSubprogram(sp: Meta): void {
    lib().LLVMDIBuilderFinalizeSubprogram(this.handle, sp);
  }
  finalize(): void {
    lib().LLVMDIBuilderFinalize(this.handle);
  }
  dispose(): void {
    lib().LLVMDisposeDIBuilder(this.handle);
  }
}

function byteLen(s: string): number {
  return Buffer.byteLength(s);
}
