// The compiler side of a probe type. Each probe type is one module in this folder implementing
// ProbeType, with its attach record declared in TYPE.attach.ts; ./index.ts lists them. The runtime
// side lives in runtime/attach/ and reads the same record.

import type { AttachPoint, Probe } from '../ast';
import type { Val } from '../codegen/llvm';
import type { EmitContext, Example } from '../functions/types';
import type { Diagnostic } from '../../common/diagnostics';
import type { TracepointFormat } from '../../common/kernel/tracefs';
import type { AttachRecord } from '../compiled';
import type { AddrSpace, Type } from '../../common/types';
import type { Dialect } from '../../common/dialect';
import type { BtfFunction } from '../../common/kernel/btf-types';

/** One concrete attach point as a probe type's `expand` finds it, before the registry binds it to its type. */
export interface ProbeSite<A extends AttachRecord = AttachRecord> {
  /** The full probe name as the `probe` builtin prints it, e.g. "tracepoint:syscalls:sys_enter_openat". */
  name: string;
  /** ELF section of the program: decides its BPF program type for libbpf. */
  section: string;
  /** What the runtime needs to attach it: plain JSON, declared in ./TYPE.attach.ts, read by runtime/attach/TYPE. */
  attach: A;
  /** Tracepoint record layout, for `args`. */
  format?: TracepointFormat;
  ap: AttachPoint;
  /** Set when the attach point cannot be resolved in a way bpftrace tolerates (a uprobe symbol
   * the binary lacks): the probe is type-checked, then dropped with this as a warning. */
  unresolved?: Diagnostic;
}

/** One concrete attach point after alias resolution and wildcard expansion, with its probe type. */
export interface ExpandedProbe<A extends AttachRecord = AttachRecord> extends ProbeSite<A> {
  /** Canonical provider name (the type's name), e.g. "tracepoint" for `t:...`. */
  provider: string;
  /** The probe type: what passes and functions ask instead of comparing provider names. */
  type: ProbeType<A>;
}

/** A site bound to the type it belongs to (the only way an ExpandedProbe is made). */
export function bindProbe<A extends AttachRecord>(type: ProbeType<A>, site: ProbeSite<A>): ExpandedProbe<A> {
  return { ...site, provider: type.name, type };
}

/**
 * What the program's context argument points at, which decides what can be read from it:
 * pt_regs (kprobes, uprobes: registers), perf (a perf event's, starting with pt_regs), tracing (an
 * fentry/fexit trampoline's u64 array), raw_tp (raw tracepoint arguments), tracepoint (the
 * event's record), iter (an iterator's struct bpf_iter__OBJECT).
 */
export type ProbeContext = 'pt_regs' | 'perf' | 'tracing' | 'raw_tp' | 'tracepoint' | 'iter';

/** What the command line says about the traced process, for expansions that depend on it. */
export interface ExpandTarget {
  /** -p PID */
  pid?: number;
  /** The -c command's program, resolved on PATH (watchpoint:FUNC+argN probes FUNC in it). */
  command?: string;
  /** Command-line arguments after the script: `$N` in an attach point is replaced by the Nth. */
  positionals?: readonly string[];
  /** Which bpftrace the script is read as (probe names differ: `begin` in 0.26). */
  dialect?: Dialect;
  /** --unsafe: attach to what bpftrace 0.26 would refuse as not traceable. */
  unsafe?: boolean;
}

/**
 * When the runtime runs a probe of a type that is not attached: before the others are attached
 * (BEGIN), after they are detached (END), on SIGUSR1 (self:signal), or only in --test / --bench
 * mode (test:NAME, bench:NAME), several of one kind in the script's order.
 */
export type RunAt = 'begin' | 'end' | 'signal' | 'test' | 'bench';

/**
 * A probe type, generic in its attach record `A`. Besides expanding attach points it answers the
 * questions the passes and functions ask about its probes (address space, context, which
 * functions are allowed): they ask these, never the provider's name.
 */
export interface ProbeType<A extends AttachRecord = AttachRecord> {
  name: string;
  aliases: readonly string[];
  /** What newer bpftrace's `probetype` (0.25+) calls this type, when it is not `name`. */
  probetypeName?: string;
  /** Resolves one attach point into concrete probes; throws BpfscriptError on a bad one. `probe`:
   * the probe it belongs to, for types whose expansion depends on what the body uses. */
  expand(ap: AttachPoint, probe?: Probe, target?: ExpandTarget): ProbeSite<A>[];
  /** Where pointers of unknown origin point: the traced process's memory for user-space probes. */
  addressSpace: AddrSpace;
  /** What the program's context holds for this probe (kprobes traced through fentry differ). */
  context(p: ExpandedProbe<A>): ProbeContext;
  /** The kernel mechanism standing in for this type's own one, when it does (kprobes through
   * fentry/fexit on a kernel without kprobes), for messages. */
  tracedThrough?(p: ExpandedProbe<A>): string | undefined;
  /** Type of `args` in this probe, when it has one. */
  argsType?(p: ExpandedProbe<A>): Type | null;
  /**
   * What `args` is made of, when the probe has it: a tracepoint record's fields, a kernel
   * function's parameters from BTF, or a BTF-typed context struct (an iterator's).
   */
  namedArgs?: 'tracepoint-fields' | 'btf-params' | 'btf-context';
  /** The kernel prototype `args` comes from, when namedArgs is 'btf-params' and the probe is not
   * a function's (a raw tracepoint's btf_trace_EVENT); a kernel function of that name otherwise. */
  paramsOf?(p: ExpandedProbe<A>): BtfFunction | null;
  /** `ctx` names the same record as `args` (bpftrace 0.17 spells an iterator's context ctx->task). */
  ctxIsArgs?: boolean;
  /** The address space of pointer fields of `args` (kernel when absent). */
  argsPointerSpace?(p: ExpandedProbe<A>): AddrSpace;
  /** Run by the runtime through BPF_PROG_TEST_RUN instead of being attached, and when. */
  runOnce?: RunAt;
  /** Tiny programs showing it at work, run in the kernel by test/registry-examples.test.ts (src/functions/example.ts). */
  examples?: readonly Example[];
  /** The type of `args->NAME` (or `args.NAME`) when the probe type decides it, or the error that
   * refuses it; undefined to read it from the expanded probe's `format`. */
  argField?(p: ExpandedProbe<A>, field: string): Type | { error: string; hint?: string } | undefined;
  /** How many argN builtins this probe has, and how to read one (as a u64). */
  args?: { count: number; read(ctx: EmitContext, n: number, p: ExpandedProbe<A>): Val };
  /** A condition checked before the predicate: false skips the program (an iterator's last call
   * has no object). An i1 value. */
  guard?(ctx: EmitContext, p: ExpandedProbe<A>): Val;
  /** How to read `retval`, for return probes. */
  retval?(p: ExpandedProbe<A>): ((ctx: EmitContext) => Val) | null;
  /**
   * The traced function, for `func`: its name when the probe has one function, or the longest
   * name (in bytes) when one program serves many and the kernel names the one that fired.
   */
  tracedFunction?(p: ExpandedProbe<A>): { name: string } | { longest: number } | undefined;
  /** The user-space binary the probe attaches to (uaddr() looks symbols up in it). */
  userBinary?(p: ExpandedProbe<A>): string;
  /** Arguments passed on the stack can be read at this probe (sargN): it fires at a function's
   * entry with the stack pointer in its context. */
  stackArgs?: boolean;
  /** override() may replace the traced function's return value (bpf_override_return). */
  mayOverrideReturn?: boolean;
  /** path() may call bpf_d_path here: its arguments are BTF pointers the verifier trusts, in a
   * program type the kernel lets call that helper (fentry/fexit, iterators). */
  mayReadPath?: boolean;
  /** signal() may signal the current task (bpftrace 0.17's list of probe types). */
  maySendSignal?: boolean;
  /**
   * An equivalent and cheaper probe for a program that reads only `fields` of `args` (none: it
   * never reads `args`), with those fields at their places in its `format`; or null (a tracepoint
   * becomes a raw tracepoint: see src/semantic/lower-raw-tracepoints.ts).
   */
  withoutArgs?(p: ExpandedProbe<A>, fields?: ReadonlySet<string>): ExpandedProbe | null;
  /**
   * An equivalent program through a cheaper kernel mechanism, compiled beside this one: the runtime
   * attaches it instead where the kernel takes it, and this one otherwise (a kprobe's fentry twin:
   * ./kprobe-fentry.ts). Null when the body reads something only this mechanism has.
   */
  twin?(p: ExpandedProbe<A>, probe: Probe, macros: unknown[]): ProbeSite<A> | null;
}
