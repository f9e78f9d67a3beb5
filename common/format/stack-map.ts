// The stack trace maps shared by every program of an object: the compiler defines them
// (src/functions/stack.ts) and the runtime reads frames from them by the same name.

/** Name of the stack trace map holding stacks of `depth` frames (one per depth, kernel and user share it). */
export function stackMapName(depth: number): string {
  return `stacks_${depth}`;
}
