// The runtime side of a probe type: how a loaded program gets attached. One module per provider.

import type { ProbeMeta } from '../../src/meta';
import type { BpfLink, BpfProgram } from '../libbpf';

export interface AttachSession {
  /** -p PID, when tracing one process. */
  pid?: number;
}

export interface Unavailable {
  /** What the kernel lacks, in a sentence. */
  missing: string;
  /** What works here instead. */
  instead: string;
}

export interface Attacher {
  provider: string;
  /** Checked for every probe before anything is attached. */
  unavailable?(): Unavailable | undefined;
  attach(prog: BpfProgram, probe: ProbeMeta, session: AttachSession): BpfLink[];
  /** What to tell the user when attaching fails with this errno, if there is something to say. */
  explain?(errno: number): string | undefined;
}
