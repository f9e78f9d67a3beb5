// kstack and ustack: the kernel or user call stack where the probe fired. `kstack`, `kstack(mode)`,
// `kstack(depth)` and `kstack(mode, depth)` (ustack alike); modes bpftrace and perf as in bpftrace
// 0.17, plus raw (addresses only) from later bpftrace; depth defaults to 127 frames.
//
// The probe calls bpf_get_stackid() on a stack trace map (one per depth, shared by every program)
// and keeps a u64: the stack id in the low half and, for ustack, the process id in the high half,
// so equal user stacks of different processes stay apart and each resolves against its own
// mappings. User space reads the frames from the map and symbolises them (kstackFormat and
// ustackFormat below, through the runtime's HostLookup), whether the value is a map key, a map
// value or a printf argument.
//
// bpftrace mode:  "\n" + one "        sym+off\n" per frame (map keys indent 4, everything else 8)
// perf mode:      "\n" + one "\t<hex addr> sym+off\n" per frame (user frames add " (object)")
// raw mode:       "\n" + one "<hex addr>\n" per frame (bpftrace >= 0.19; 0.17 lacks it)

import type { Builtin, Call, Expr } from '../ast';
import { BpfMapType } from '../codegen/map-defs';
import { IntPredicate, Opcode } from '../codegen/llvm';
import { stackMapName } from '../../common/format/stack-map';
import { none, s64, type StackMode, type StackSpec, type StringType } from '../../common/types';
import type { BuiltinDef, CgValue, CheckContext, EmitContext, FunctionDef, HostLookup, ValueFormat } from './types';
import { tryReadText } from '../../common/kernel/host';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

export const BPF_F_USER_STACK = 1 << 8;
const DEFAULT_DEPTH = 127;
/** bpftrace's MAX_STACK_SIZE. */
const MAX_DEPTH = 1024;
/** Distinct stacks each stack map holds, as bpftrace sizes its maps. */
const STACK_ENTRIES = 4096;
const MODES: readonly StackMode[] = ['bpftrace', 'perf', 'raw'];

/** The kernel refuses stack maps deeper than kernel.perf_event_max_stack. */
function kernelMaxDepth(): number {
  return Number(tryReadText('/proc/sys/kernel/perf_event_max_stack')?.trim()) || DEFAULT_DEPTH;
}

const stackType = (user: boolean, stack: StackSpec): StringType => ({ kind: 'string', size: 8, format: user ? 'ustack' : 'kstack', stack });

function parseArgs(ctx: CheckContext, call: Call): StackSpec | null {
  const fn = call.name;
  const spec: StackSpec = { mode: ctx.options.stackMode ?? 'bpftrace', depth: DEFAULT_DEPTH };
  if (call.args.length > 2) {
    ctx.error(`${fn}() takes at most two arguments: ${fn}(mode, depth)`, call, `for example ${fn}(perf, 10)`);
    return null;
  }
  const mode = (e: Expr): boolean => {
    if (e.kind === 'Builtin' && (MODES as readonly string[]).includes(e.name)) {
      spec.mode = e.name as StackMode;
      return true;
    }
    if (e.kind === 'Builtin' && call.args.length === 2) {
      ctx.error(`Unknown stack mode: '${e.name}'`, e, `stack modes are ${MODES.join(', ')}`);
      return false;
    }
    return false;
  };
  const depth = (e: Expr): boolean => {
    if (e.kind !== 'IntLit') {
      ctx.error(`${fn}: invalid limit value`, e, `the depth is an integer literal, e.g. ${fn}(10)`);
      return false;
    }
    spec.depth = Number(e.value);
    return true;
  };
  const [a, b] = call.args;
  if (a && b) {
    if (!mode(a)) {
      if (a.kind !== 'Builtin') ctx.error(`${fn}() expects a stack mode first`, a, `stack modes are ${MODES.join(', ')}`);
      return null;
    }
    if (!depth(b)) return null;
  } else if (a) {
    if (!mode(a)) {
      if (a.kind === 'Builtin') {
        ctx.error(`Unknown stack mode: '${a.name}'`, a, `stack modes are ${MODES.join(', ')}`);
        return null;
      }
      if (!depth(a)) return null;
    }
  }
  if (spec.depth < 1 || spec.depth > MAX_DEPTH) {
    ctx.error(`${fn}([int limit]): limit shouldn't exceed ${MAX_DEPTH}, ${spec.depth} given`, call);
    return null;
  }
  const max = kernelMaxDepth();
  if (spec.depth > max) {
    ctx.error(`${fn}: this kernel keeps at most ${max} frames, ${spec.depth} asked`, call, 'raise the sysctl kernel.perf_event_max_stack, or ask for fewer frames');
    return null;
  }
  return spec;
}

/** The stack trace map of stacks `depth` frames deep, shared by every program. */
export function stackMap(ctx: EmitContext, depth: number) {
  return ctx.sharedMap({ name: stackMapName(depth), type: BpfMapType.StackTrace, maxEntries: STACK_ENTRIES, keySize: 4, valueSize: depth * 8 });
}

function emitStack(ctx: EmitContext, user: boolean, spec: StackSpec) {
  const { b, c } = ctx;
  const map = stackMap(ctx, spec.depth);
  const id = b.helper(BpfHelper.GET_STACKID, ctx.i64, [ctx.i8p, ctx.i8p, ctx.i64], [ctx.ctxArg, b.bitcast(map, ctx.i8p), ctx.constInt(user ? BPF_F_USER_STACK : 0)], 'stackid');
  let v = b.binop(Opcode.And, id, ctx.constInt(0xffffffff));
  if (user) {
    const tgid = b.binop(Opcode.And, b.helper(BpfHelper.GET_CURRENT_PID_TGID, ctx.i64, [], [], 'pid_tgid'), ctx.constInt(0xffffffff00000000n));
    v = b.binop(Opcode.Or, v, tgid);
  }
  const out = ctx.zeroed(8, user ? 'ustack' : 'kstack');
  b.store(v, b.bitcast(out, c.ptr(ctx.i64)));
  return { type: stackType(user, spec), v: out };
}

function define(user: boolean): { builtin: BuiltinDef; fn: FunctionDef } {
  const name = user ? 'ustack' : 'kstack';
  return {
    builtin: {
      name,
      check: (ctx: CheckContext, _node: Builtin) => stackType(user, { mode: ctx.options.stackMode ?? 'bpftrace', depth: DEFAULT_DEPTH }),
      emit: (ctx: EmitContext) => emitStack(ctx, user, { mode: ctx.options.stackMode ?? 'bpftrace', depth: DEFAULT_DEPTH }),
    },
    fn: {
      name,
      check(ctx, call) {
        const spec = parseArgs(ctx, call);
        return spec ? stackType(user, spec) : none;
      },
      emit(ctx, call) {
        const t = ctx.typeOf(call) as StringType;
        return emitStack(ctx, user, t.stack!);
      },
    },
  };
}

const k = define(false);
const u = define(true);
export const kstackBuiltin = k.builtin;
kstackBuiltin.examples = [{ script: 'BEGIN { @ = kstack; exit(); }', output: /^\n\n@: \n( {8}\S+\n)+\n$/ }];
export const kstack = k.fn;
kstack.examples = [{ script: 'BEGIN { printf("%s", kstack(1)); exit(); }', output: /^\n {8}\S+\n\n\n$/ }];
export const ustackBuiltin = u.builtin;
ustackBuiltin.examples = [{ script: 'BEGIN { @ = ustack; exit(); }', output: /^\n\n@: \n( {8}\S+\n)+\n$/ }];
export const ustack = u.fn;
ustack.examples = [{ script: 'BEGIN { @ = ustack(perf, 1); exit(); }', output: /^\n\n@: \n\t[0-9a-f]+ \S+ \(\S+\)\n\n$/ }];

/** The text of a recorded stack (the value form: frames indented 8). */
function stackText(spec: StackSpec, user: boolean, id: number, pid: number, host: HostLookup): string {
  const addrs = id < 0 ? null : host.stackFrames(spec.depth, id);
  // A failed capture (-EFAULT: no user stack in a kernel thread) prints nothing, as in bpftrace.
  if (!addrs) return '';
  let out = '\n';
  for (const a of addrs) {
    if (spec.mode === 'raw') {
      out += `${a.toString(16)}\n`;
      continue;
    }
    const sym = user ? host.userSymbol(a, pid, true, spec.mode === 'perf') : host.kernelSymbol(a, true);
    out += spec.mode === 'perf' ? `\t${a.toString(16)} ${sym}\n` : `        ${sym}\n`;
  }
  return out;
}

/**
 * The frames of a stack's text, innermost first: the symbol without its offset (and, in perf mode,
 * without the address and object), raw mode's addresses as printed, null for an unresolved frame.
 */
function framesOf(text: string, mode: StackMode): (string | null)[] {
  const out: (string | null)[] = [];
  for (const raw of text.split('\n')) {
    let line = raw.trim();
    if (!line) continue;
    if (mode === 'raw') {
      out.push(line);
      continue;
    }
    if (mode === 'perf') line = line.replace(/^[0-9a-f]+ /, '').replace(/ \([^()]*\)$/, '');
    out.push(/^0x[0-9a-f]+$|^0$/.test(line) ? null : line.replace(/\+\d+$/, ''));
  }
  return out;
}

function stackFormat(user: boolean): ValueFormat {
  return {
    name: user ? 'ustack' : 'kstack',
    decode: (view, off, t, host) => stackText(t.stack ?? { mode: 'bpftrace', depth: DEFAULT_DEPTH }, user, view.getInt32(off, true), view.getInt32(off + 4, true), host),
    // As a map key bpftrace indents the frames by 4 instead of 8.
    text: (v, _t, asKey) => (asKey ? String(v).replace(/\n {8}/g, '\n    ') : String(v)),
    // One line, as folded stacks write frames: joined by ';' (innermost first, as recorded).
    label: (v) => String(v).split('\n').map((l) => l.trim()).filter(Boolean).join(';'),
    printf: 'string',
    joinsMapLines: true,
    namesType: true,
    stack: { user, frames: (v, t) => framesOf(String(v), t.stack?.mode ?? 'bpftrace') },
  };
}

// BEGIN's stacks are those of the process that runs it: the kernel's path into BPF_PROG_TEST_RUN.
export const kstackFormat: ValueFormat = { ...stackFormat(false), examples: [{ script: 'BEGIN { @ = kstack(2); exit(); }', output: /^\n\n@: \n( {8}\S+\n){2}\n$/ }] };
export const ustackFormat: ValueFormat = { ...stackFormat(true), examples: [{ script: 'BEGIN { @ = ustack(1); exit(); }', output: /^\n\n@: \n {8}\S+\n\n$/ }] };

// len(kstack), len(ustack), len(ustack(N)) … (bpftrace 0.23+): the frames of the stack where the
// probe fired. A recorded stack is only an id into a stack trace map, which programs cannot
// read, so the frames are captured again with bpf_get_stack into scratch memory and counted from
// the bytes it wrote; a stack that cannot be captured (no user stack in a kernel thread) is 0.
// The stack must be written in the call: a stack kept in a variable or map has no frames to count.

export const isStack = (t: { kind: string; format?: string }): boolean => t.kind === 'string' && (t.format === kstackFormat.name || t.format === ustackFormat.name);

const written = (e: Expr): boolean => (e.kind === 'Builtin' || e.kind === 'Call') && (e.name === 'kstack' || e.name === 'ustack');

/** Whether len() can count `e`'s frames; reports why not. */
export function checkStackLen(ctx: CheckContext, e: Expr): boolean {
  if (written(e)) return true;
  ctx.error('len() counts the frames of a stack captured in the call: a stack kept in a variable or map is only its id', e, 'write len(ustack), len(kstack(10)) …');
  return false;
}

export function emitStackLen(ctx: EmitContext, e: Expr): CgValue {
  const { b, c, i64 } = ctx;
  const t = ctx.typeOf(e) as StringType;
  const depth = t.stack?.depth ?? 127;
  const buf = ctx.scratch(depth * 8, 'stack_len');
  const flags = t.format === ustackFormat.name ? BPF_F_USER_STACK : 0;
  const bytes = b.helper(BpfHelper.GET_STACK, i64, [ctx.i8p, ctx.i8p, c.int(32), i64], [ctx.ctxArg, buf, c.constInt(c.int(32), depth * 8), ctx.constInt(flags)], 'stack_bytes');
  // A negative result is an error: no frames.
  const ok = b.icmp(IntPredicate.SGT, bytes, ctx.constInt(0));
  return { type: s64, v: b.select(ok, b.binop(Opcode.LShr, bytes, ctx.constInt(3)), ctx.constInt(0)) };
}
