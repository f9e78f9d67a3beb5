// The attach record of kprobe and kretprobe, shared by src/probes/kprobe.ts and
// runtime/attach/kprobe.ts. `via` is the kernel mechanism chosen when compiling, and each one needs
// different facts to attach.

export type KprobeAttach =
  /** One perf-event kprobe on one function, at an offset into it (0: its entry). */
  | { via: 'kprobe'; func: string; offset: number; retprobe: boolean }
  /** An fentry/fexit program standing in for the kprobe: on a kernel without kprobes, or (`twin`)
   * loaded beside the kprobe program and attached instead of it where the kernel allows (cheaper). */
  | { via: 'fentry'; func: string; retprobe: boolean; /** The u64 slot of the return value in the trampoline's array. */ retSlot: number; twin?: true }
  /** One kprobe_multi link on every function a wildcard matched. */
  | { via: 'multi'; funcs: string[]; pattern: string; retprobe: boolean; /** Length of the longest name in `funcs`. */ funcLen: number };
