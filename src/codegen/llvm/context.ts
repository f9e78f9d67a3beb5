// The BPF target machine and the LLVM context: types, constants and the backend's diagnostics.

import { LLVMError, type Ty, type Val } from './handles';
import { lib, takeMessage } from './lib';

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
