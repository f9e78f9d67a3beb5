// The attach record of kfunc and kretfunc, shared by src/probes/kfunc.ts and runtime/attach/kfunc.ts.
// libbpf finds the function from the program's section when loading, so attaching needs nothing
// more; the record says what the compiler found.

export interface KfuncAttach {
  func: string;
  btfId: number;
  /** The u64 slot of the return value in the trampoline's array (after the arguments). */
  retSlot: number;
}
