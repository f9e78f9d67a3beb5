// koffi declarations of the LLVM-C functions bpfscript uses. Only this folder talks to libLLVM;
// everything else goes through the typed wrappers that ./index.ts exports.
// Handles are raw pointers (BigInt in koffi 3); the branded types in ./handles.ts keep them apart.

import koffi from 'koffi';
import { existsSync } from 'node:fs';
import { libraryMissing, LLVM_PACKAGE } from '../../../common/host-packages';

const DECLS = [
  // context, module
  'void *LLVMContextCreate()',
  'void LLVMContextDispose(void *C)',
  'void LLVMContextSetDiagnosticHandler(void *C, LLVMDiagHandler *h, void *ctx)',
  'void LLVMInstallFatalErrorHandler(LLVMFatalErrorHandler *h)',
  'void *LLVMGetDiagInfoDescription(void *di)',
  'int LLVMGetDiagInfoSeverity(void *di)',
  'void *LLVMModuleCreateWithNameInContext(const char *name, void *C)',
  'void LLVMDisposeModule(void *M)',
  'void LLVMSetTarget(void *M, const char *triple)',
  'void LLVMSetModuleDataLayout(void *M, void *DL)',
  'void LLVMAddModuleFlag(void *M, int behavior, const char *key, size_t keyLen, void *val)',
  'void *LLVMPrintModuleToString(void *M)',
  'void LLVMDisposeMessage(void *msg)',
  'int LLVMVerifyModule(void *M, int action, _Out_ void **msg)',
  // target
  'void LLVMInitializeBPFTargetInfo()',
  'void LLVMInitializeBPFTarget()',
  'void LLVMInitializeBPFTargetMC()',
  'void LLVMInitializeBPFAsmPrinter()',
  'int LLVMGetTargetFromTriple(const char *triple, _Out_ void **T, _Out_ void **err)',
  'void *LLVMCreateTargetMachine(void *T, const char *triple, const char *cpu, const char *features, int level, int reloc, int cm)',
  'void *LLVMCreateTargetDataLayout(void *TM)',
  'uint64_t LLVMABISizeOfType(void *TD, void *T)',
  'int LLVMTargetMachineEmitToMemoryBuffer(void *TM, void *M, int fileType, _Out_ void **err, _Out_ void **buf)',
  'void *LLVMGetBufferStart(void *buf)',
  'size_t LLVMGetBufferSize(void *buf)',
  'void LLVMDisposeMemoryBuffer(void *buf)',
  'void *LLVMCreatePassBuilderOptions()',
  'void LLVMDisposePassBuilderOptions(void *o)',
  'void *LLVMRunPasses(void *M, const char *passes, void *TM, void *opts)',
  'void *LLVMGetErrorMessage(void *err)',
  // types
  'void *LLVMVoidTypeInContext(void *C)',
  'void *LLVMIntTypeInContext(void *C, uint32_t bits)',
  'void *LLVMPointerType(void *elem, uint32_t addrSpace)',
  'void *LLVMArrayType(void *elem, uint32_t n)',
  'void *LLVMStructTypeInContext(void *C, void **elems, uint32_t n, int packed)',
  'void *LLVMStructCreateNamed(void *C, const char *name)',
  'void LLVMStructSetBody(void *S, void **elems, uint32_t n, int packed)',
  'void *LLVMFunctionType(void *ret, void **params, uint32_t n, int varArg)',
  'void *LLVMTypeOf(void *V)',
  'uint32_t LLVMGetIntTypeWidth(void *T)',
  // constants, globals, functions
  'void *LLVMConstInt(void *T, uint64_t v, int signExtend)',
  'void *LLVMConstNull(void *T)',
  'void *LLVMConstIntToPtr(void *V, void *T)',
  'void *LLVMConstStringInContext(void *C, const char *s, uint32_t len, int dontNullTerminate)',
  'void *LLVMConstArray(void *T, void **vals, uint32_t n)',
  'void *LLVMAddGlobal(void *M, void *T, const char *name)',
  'void LLVMSetInitializer(void *G, void *V)',
  'void LLVMSetGlobalConstant(void *G, int isConst)',
  'void LLVMSetSection(void *G, const char *sec)',
  'void LLVMSetAlignment(void *G, uint32_t bytes)',
  'void LLVMSetLinkage(void *G, int linkage)',
  'void *LLVMAddFunction(void *M, const char *name, void *fnTy)',
  'void *LLVMGetNamedFunction(void *M, const char *name)',
  'void *LLVMGetParam(void *F, uint32_t i)',
  'uint32_t LLVMGetEnumAttributeKindForName(const char *name, size_t len)',
  'void *LLVMCreateEnumAttribute(void *C, uint32_t kind, uint64_t val)',
  'void LLVMAddAttributeAtIndex(void *F, int idx, void *A)',
  'uint32_t LLVMGetMDKindIDInContext(void *C, const char *name, uint32_t len)',
  'void *LLVMValueAsMetadata(void *V)',
  'void LLVMGlobalSetMetadata(void *G, uint32_t kind, void *MD)',
  // CO-RE: llvm.preserve.*.access.index calls (codegen/core-access.ts)
  'uint32_t LLVMLookupIntrinsicID(const char *name, size_t len)',
  'void *LLVMGetIntrinsicDeclaration(void *M, uint32_t id, void **types, size_t n)',
  'void *LLVMIntrinsicGetType(void *C, uint32_t id, void **types, size_t n)',
  'void *LLVMCreateTypeAttribute(void *C, uint32_t kind, void *type)',
  'void LLVMAddCallSiteAttribute(void *call, int idx, void *A)',
  'void LLVMSetMetadata(void *V, uint32_t kind, void *MDV)',
  'void *LLVMMetadataAsValue(void *C, void *MD)',
  // builder
  'void *LLVMCreateBuilderInContext(void *C)',
  'void LLVMDisposeBuilder(void *B)',
  'void *LLVMAppendBasicBlockInContext(void *C, void *F, const char *name)',
  'void LLVMPositionBuilderAtEnd(void *B, void *BB)',
  'void *LLVMGetInsertBlock(void *B)',
  'void *LLVMGetBasicBlockParent(void *BB)',
  'void *LLVMGetFirstBasicBlock(void *F)',
  'void *LLVMGetFirstInstruction(void *BB)',
  'void LLVMPositionBuilderBefore(void *B, void *I)',
  'void *LLVMGetBasicBlockTerminator(void *BB)',
  'void *LLVMGetFirstFunction(void *M)',
  'void *LLVMGetNextFunction(void *F)',
  'void *LLVMGetNextBasicBlock(void *BB)',
  'void LLVMMoveBasicBlockAfter(void *BB, void *after)',
  'uint32_t LLVMGetNumSuccessors(void *term)',
  'void *LLVMGetSuccessor(void *term, uint32_t i)',
  'void LLVMSetSuccessor(void *term, uint32_t i, void *BB)',
  'int LLVMGetInstructionOpcode(void *I)',
  'int LLVMGetNumOperands(void *I)',
  'void *LLVMGetOperand(void *I, uint32_t i)',
  'int LLVMIsConstant(void *V)',
  'void LLVMSetCurrentDebugLocation2(void *B, void *loc)',
  'void *LLVMGetCurrentDebugLocation2(void *B)',
  'void *LLVMBuildAlloca(void *B, void *T, const char *name)',
  'void *LLVMBuildStore(void *B, void *V, void *P)',
  'void *LLVMBuildLoad2(void *B, void *T, void *P, const char *name)',
  'void LLVMSetVolatile(void *I, int v)',
  'void *LLVMBuildGEP2(void *B, void *T, void *P, void **idx, uint32_t n, const char *name)',
  'void *LLVMBuildStructGEP2(void *B, void *T, void *P, uint32_t idx, const char *name)',
  'void *LLVMBuildBinOp(void *B, int op, void *l, void *r, const char *name)',
  'void *LLVMBuildICmp(void *B, int pred, void *l, void *r, const char *name)',
  'void *LLVMBuildNeg(void *B, void *V, const char *name)',
  'void *LLVMBuildNot(void *B, void *V, const char *name)',
  'void *LLVMBuildIntCast2(void *B, void *V, void *T, int signed, const char *name)',
  'void *LLVMBuildPtrToInt(void *B, void *V, void *T, const char *name)',
  'void *LLVMBuildIntToPtr(void *B, void *V, void *T, const char *name)',
  'void *LLVMBuildBitCast(void *B, void *V, void *T, const char *name)',
  'void *LLVMBuildSelect(void *B, void *c, void *t, void *e, const char *name)',
  'void *LLVMBuildPhi(void *B, void *T, const char *name)',
  'void LLVMAddIncoming(void *phi, void **vals, void **blocks, uint32_t n)',
  'void *LLVMBuildCall2(void *B, void *fnTy, void *fn, void **args, uint32_t n, const char *name)',
  'void *LLVMBuildCondBr(void *B, void *c, void *t, void *e)',
  'void *LLVMBuildBr(void *B, void *dest)',
  'void *LLVMBuildRet(void *B, void *V)',
  'void *LLVMBuildUnreachable(void *B)',
  'void *LLVMBuildMemSet(void *B, void *ptr, void *val, void *len, uint32_t align)',
  'void *LLVMBuildMemCpy(void *B, void *dst, uint32_t dstAlign, void *src, uint32_t srcAlign, void *size)',
  // debug info (becomes BTF: map definitions, func info, line info)
  'void *LLVMCreateDIBuilder(void *M)',
  'void LLVMDisposeDIBuilder(void *D)',
  'void LLVMDIBuilderFinalize(void *D)',
  'void *LLVMDIBuilderCreateFile(void *D, const char *f, size_t fl, const char *d, size_t dl)',
  'void *LLVMDIBuilderCreateCompileUnit(void *D, int lang, void *file, const char *prod, size_t prodLen, int opt, const char *flags, size_t flagsLen, uint32_t rv, const char *split, size_t splitLen, int kind, uint32_t dwoId, int splitInl, int prof, const char *sysroot, size_t sysrootLen, const char *sdk, size_t sdkLen)',
  'void *LLVMDIBuilderCreateBasicType(void *D, const char *n, size_t nl, uint64_t bits, uint32_t enc, int flags)',
  'void *LLVMDIBuilderCreateTypedef(void *D, void *ty, const char *n, size_t nl, void *file, uint32_t line, void *scope, uint32_t align)',
  'void *LLVMDIBuilderCreatePointerType(void *D, void *pointee, uint64_t bits, uint32_t align, uint32_t as, const char *n, size_t nl)',
  'void *LLVMDIBuilderGetOrCreateSubrange(void *D, int64_t lo, int64_t count)',
  'void *LLVMDIBuilderCreateArrayType(void *D, uint64_t bits, uint32_t align, void *ty, void **subs, uint32_t n)',
  'void *LLVMDIBuilderCreateMemberType(void *D, void *scope, const char *n, size_t nl, void *file, uint32_t line, uint64_t bits, uint32_t align, uint64_t off, int flags, void *ty)',
  'void *LLVMDIBuilderCreateStructType(void *D, void *scope, const char *n, size_t nl, void *file, uint32_t line, uint64_t bits, uint32_t align, int flags, void *derived, void **elems, uint32_t ne, uint32_t rtl, void *vtable, const char *uid, size_t uidl)',
  'void *LLVMDIBuilderCreateExpression(void *D, uint64_t *addr, size_t n)',
  'void *LLVMDIBuilderCreateGlobalVariableExpression(void *D, void *scope, const char *n, size_t nl, const char *link, size_t ll, void *file, uint32_t line, void *ty, int local, void *expr, void *decl, uint32_t align)',
  'void *LLVMDIBuilderCreateSubroutineType(void *D, void *file, void **params, uint32_t n, int flags)',
  'void *LLVMDIBuilderCreateFunction(void *D, void *scope, const char *n, size_t nl, const char *link, size_t ll, void *file, uint32_t line, void *ty, int local, int def, uint32_t scopeLine, int flags, int opt)',
  'void *LLVMDIBuilderCreateParameterVariable(void *D, void *scope, const char *n, size_t nl, uint32_t argNo, void *file, uint32_t line, void *ty, int preserve, int flags)',
  'void LLVMDIBuilderFinalizeSubprogram(void *D, void *sp)',
  'void *LLVMDIBuilderCreateDebugLocation(void *C, uint32_t line, uint32_t col, void *scope, void *inlinedAt)',
  'void LLVMSetSubprogram(void *F, void *sp)',
  // a DIFile with the source text embedded (no C API for it: parsed from IR text)
  'void *LLVMCreateMemoryBufferWithMemoryRangeCopy(const char *data, size_t len, const char *name)',
  'int LLVMParseIRInContext(void *C, void *buf, _Out_ void **M, _Out_ void **msg)',
  'void LLVMGetNamedMetadataOperands(void *M, const char *name, _Out_ void **vals)',
] as const;

type FnName<S extends string> = S extends `${string} *${infer N}(${string}` ? N : S extends `${string} ${infer N}(${string}` ? N : never;
type Names = FnName<(typeof DECLS)[number]>;

/** Every declared function, untyped at this layer: ./index.ts gives each a typed signature. */
export type RawLLVM = Record<Names, (...args: any[]) => any> & { version: number; koffi: typeof koffi };

let raw: RawLLVM | null = null;

/** Newest libLLVM first, as the design asks, so a newer distribution works unchanged. */
function findLibrary(): { path: string; version: number } {
  const forced = process.env.BPFSCRIPT_LLVM;
  const versions = forced ? [Number(forced)] : [20, 19, 18, 17, 16, 15, 14];
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];
  for (const v of versions) {
    for (const d of dirs) {
      const p = `${d}/libLLVM-${v}.so.1`;
      if (existsSync(p)) return { path: p, version: v };
    }
  }
  throw libraryMissing('libLLVM', `no libLLVM-N.so.1 for N = ${versions.join(', ')} in ${dirs.join(', ')}`, LLVM_PACKAGE);
}

function load(path: string): ReturnType<typeof koffi.load> {
  try {
    return koffi.load(path);
  } catch (e) {
    throw libraryMissing(path, (e as Error).message, LLVM_PACKAGE);
  }
}

export function llvmRaw(): RawLLVM {
  if (raw) return raw;
  const { path, version } = findLibrary();
  const lib = load(path);
  koffi.proto('void LLVMDiagHandler(void *di, void *ctx)');
  koffi.proto('void LLVMFatalErrorHandler(const char *reason)');
  const out: Record<string, unknown> = { version, koffi };
  for (const d of DECLS) {
    const name = /(LLVM\w+)\(/.exec(d)![1];
    out[name] = lib.func(d);
  }
  raw = out as RawLLVM;
  return raw;
}
