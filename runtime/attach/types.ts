// The runtime side of a probe type: how a loaded program gets attached. One module per provider.

import type { RuntimeServices } from '../../src/functions/types';
import type { ProbeMeta } from '../../src/meta';
import type { BpfLink, BpfProgram } from '../libbpf';

export interface AttachSession {
  /** -p PID, when tracing one process. */
  pid?: number;
  /** -v: say on stderr which kernel mechanism each probe attaches through. */
  verbose?: boolean;
  /** Registers an undo step run when the session detaches (before the links are destroyed). */
  onDetach?(undo: () => void): void;
  /** Registers a job run once after BEGIN (an iterator's walk); a session with such jobs ends
   * when they are done. */
  runOnce?(job: () => void): void;
  /** Routes ring-buffer records with this id (one the program's own events never use) to `handle`,
   * for probes that act in user space while tracing (a watchpoint set from a uprobe's argument). */
  onRecord?(id: number, handle: AttachRecordHandler): void;
}

export type AttachRecordHandler = (record: DataView, offset: number, length: number, rt: RuntimeServices) => void;

export interface Unavailable {
  /** What the kernel lacks, in a sentence. */
  missing: string;
  /** What works here instead. */
  instead: string;
}

/** A `-l` query after the provider: the remaining colon-separated parts, wildcards included. */
export interface ListQuery {
  parts: string[];
  verbose: boolean;
  /** -p PID: list what that process can be probed at. */
  pid?: number;
  /** Warnings for stderr (an unreadable source), printed once by the lister. */
  warn(message: string): void;
}

/** One listed probe: its full name, and with -lv the lines that describe it. */
export interface Listed {
  name: string;
  /** What the pattern after the provider is matched against, when not the name after the provider
   * (uprobe names show the resolved binary path, the pattern has the binary as typed). */
  key?: string;
  details?: string[];
}

export interface Attacher {
  provider: string;
  /** The probes of this type that `-l` shows for a query, before wildcard filtering on the full name. */
  list?(q: ListQuery): Listed[];
  /** Listed only by a pattern that names this type (bpftrace's plain -l leaves it out). */
  listOnlyWhenNamed?: boolean;
  /** Checked for every probe before anything is attached. */
  unavailable?(probe?: ProbeMeta): Unavailable | undefined;
  attach(prog: BpfProgram, probe: ProbeMeta, session: AttachSession): BpfLink[];
  /**
   * The kernel runs the programs on one event of this type last-attached first, so these are
   * attached after the others and in reverse, to run in the script's order (as bpftrace does).
   */
  lastAttachedRunsFirst?: boolean;
  /** What to tell the user when attaching fails with this errno, if there is something to say. */
  explain?(errno: number): string | undefined;
}
