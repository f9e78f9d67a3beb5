// Debug information: DWARF types for the maps' BTF, and functions and line locations, from which
// the BPF backend emits BTF func and line info.

import type { Fn, Meta, Val } from './handles';
import { lib } from './lib';
import type { Module } from './module';
import { SourceFile } from './source-file';

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
  private readonly source?: SourceFile;
  /** `source`: the file's text, embedded so the BTF line info carries each line (./source-file.ts). */
  constructor(
    readonly module: Module,
    fileName: string,
    dir = '.',
    source?: string,
  ) {
    const l = lib();
    this.handle = l.LLVMCreateDIBuilder(module.handle);
    module.addFlag('Debug Info Version', 3);
    module.addFlag('Dwarf Version', 4);
    if (source !== undefined) this.source = new SourceFile(module.ctx.handle, fileName, dir, source);
    this.file = this.source?.file ?? l.LLVMDIBuilderCreateFile(this.handle, fileName, byteLen(fileName), dir, byteLen(dir));
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
    this.source?.dispose();
  }
}

function byteLen(s: string): number {
  return Buffer.byteLength(s);
}
