// The runtime side of a probe type: how a loaded program gets attached. One module per provider,
// reading the attach record its compiler side (src/probes/TYPE.ts) wrote: src/probes/TYPE.attach.ts.

import type { RuntimeServices } from '../../src/functions';
import type { AttachRecord, ProbeMeta } from '../../src/compiled';
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
  /** --compat: names as that bpftrace lists them (fentry for kfunc under 0.26). */
  dialect?: '0.17' | '0.26';
}

/** One listed probe: its full name, and with -lv the lines that describe it. */
export interface Listed {
  name: string;
  /** What the pattern after the provider is matched against, when not the name after the provider
   * (uprobe names show the resolved binary path, the pattern has the binary as typed). */
  key?: string;
  details?: string[];
  /** The -lv lines, worked out only when printed (a BTF lookup per function adds up over thousands). */
  describe?(): string[] | undefined;
}

/** The runtime side of one probe type, generic in its attach record `A`. */
export interface Attacher<A extends AttachRecord = AttachRecord> {
  provider: string;
  /** The probes of this type that `-l` shows for a query, before wildcard filtering on the full name. */
  list?(q: ListQuery): Listed[];
  /** Listed only by a pattern that names this type (bpftrace's plain -l leaves it out); '0.17': in that dialect only. */
  listOnlyWhenNamed?: boolean | '0.17';
  /** Listed by `-l -p PID` without a named type: bpftrace 0.17 shows a process's uprobes and usdt
   * probes (not uretprobes, as a plain -l leaves return probes out). */
  listedForProcess?: boolean;
  /** Checked for every probe before anything is attached. */
  unavailable?(probe?: ProbeMeta<A>): Unavailable | undefined;
  /** Whether a kernel that unavailable() turns down refuses the program already when loading it
   * (not only when attaching), so nothing of the script can be loaded for a look (--explain). */
  refusedAtLoad?: boolean;
  attach(prog: BpfProgram, probe: ProbeMeta<A>, session: AttachSession): BpfLink[];
  /** Attached later by another probe's runtime (a watchpoint's body, once its uprobe reports the
   * address), and so not counted among the probes attached, as bpftrace counts. */
  deferred?(probe: ProbeMeta<A>): boolean;
  /**
   * The kernel runs the programs on one event of this type last-attached first, so these are
   * attached after the others and in reverse, to run in the script's order (as bpftrace does).
   * '0.17': only in that dialect (bpftrace 0.26 attaches software events in the script's order).
   */
  lastAttachedRunsFirst?: boolean | '0.17';
  /** What to tell the user when attaching fails with this errno, if there is something to say. */
  explain?(errno: number): string | undefined;
}
