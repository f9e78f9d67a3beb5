// The runtime side of a probe type: how a loaded program gets attached. One module per provider.

import type { ProbeMeta } from '../../src/meta';
import type { BpfLink, BpfProgram } from '../libbpf';

export interface Attacher {
  provider: string;
  attach(prog: BpfProgram, probe: ProbeMeta): BpfLink[];
  /** What to tell the user when attaching fails with this errno on this kernel, if anything. */
  explain?(errno: number): string | undefined;
}
