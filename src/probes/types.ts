// The compiler side of a probe type. Each probe type is one module in this folder implementing
// ProbeType; ./index.ts lists them. The runtime side lives in runtime/attach/.

import type { AttachPoint, Probe } from '../ast';
import type { Val } from '../codegen/llvm';
import type { EmitContext } from '../functions/types';
import type { Type } from '../types';
import type { Diagnostic } from '../diagnostics';
import type { TracepointFormat } from '../semantic/tracefs';

/** One concrete attach point after alias resolution and wildcard expansion. */
export interface ExpandedProbe {
  /** Canonical provider name, e.g. "tracepoint" for `t:...`. */
  provider: string;
  /** The full probe name as the `probe` builtin prints it, e.g. "tracepoint:syscalls:sys_enter_openat". */
  name: string;
  /** ELF section of the program: decides its BPF program type for libbpf. */
  section: string;
  /** What the runtime needs to attach it; plain JSON data, read by runtime/attach/<provider>. */
  attach: Record<string, string | number | boolean>;
  /** Tracepoint record layout, for `args`. */
  format?: TracepointFormat;
  ap: AttachPoint;
  /** Set when the attach point cannot be resolved in a way bpftrace tolerates (a uprobe symbol
   * the binary lacks): the probe is type-checked, then dropped with this as a warning. */
  unresolved?: Diagnostic;
}

/** What the command line says about the traced process, for expansions that depend on it. */
export interface ExpandTarget {
  /** -p PID */
  pid?: number;
  /** The -c command's program, resolved on PATH (watchpoint:FUNC+argN probes FUNC in it). */
  command?: string;
  /** Command-line arguments after the script: `$N` in an attach point is replaced by the Nth. */
  positionals?: readonly string[];
}

export interface ProbeType {
  name: string;
  aliases: readonly string[];
  /** Resolves one attach point into concrete probes; throws BpfscriptError on a bad one. `probe`:
   * the probe it belongs to, for types whose expansion depends on what the body uses. */
  expand(ap: AttachPoint, probe?: Probe, target?: ExpandTarget): ExpandedProbe[];
  /** Type of `args` in this probe, when it has one. */
  argsType?(p: ExpandedProbe): Type | null;
  /** BEGIN and END run once through BPF_PROG_TEST_RUN instead of being attached. */
  runOnce?: 'begin' | 'end';
  /** The type of `args->NAME` (or `args.NAME`) when the probe type decides it, or the error that
   * refuses it; undefined to read it from the expanded probe's `format`. */
  argField?(p: ExpandedProbe, field: string, arrow: boolean): Type | { error: string; hint?: string } | undefined;
  /** How many argN builtins this probe has, and how to read one (as a u64). */
  args?: { count: number; read(ctx: EmitContext, n: number): Val };
  /** A condition checked before the predicate: false skips the program (an iterator's last call
   * has no object). An i1 value. */
  guard?(ctx: EmitContext): Val;
  /** How to read `retval`, for return probes. */
  retval?(p: ExpandedProbe): ((ctx: EmitContext) => Val) | null;
}
