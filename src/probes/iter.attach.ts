// The attach record of iter, shared by src/probes/iter.ts and runtime/attach/iter.ts.

export interface IterAttach {
  /** The kernel object iterated over: task, task_file. */
  object: string;
}
