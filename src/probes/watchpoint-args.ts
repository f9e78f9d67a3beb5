// watchpoint:FUNC+argN:LEN:MODE and asyncwatchpoint:FUNC+argN:LEN:MODE, as in bpftrace 0.17: a
// uprobe on FUNC in the traced process (-p or -c) reads the address in argN and sends it to user
// space, which then opens a hardware breakpoint there running the probe's body. The synchronous
// form stops the process (SIGSTOP from the uprobe) until the breakpoint is set, so no access is
// missed; the async form lets it run on.
//
// Each matched FUNC expands to two programs sharing a `slot`: the body, a perf_event program that
// the runtime attaches later (role "watch"), and a setup program in FUNC's uprobe (role "setup")
// whose guard does the work and skips the body (so it compiles to nothing).

import type { AttachPoint } from '../ast';
import type { Val } from '../codegen/llvm';
import { BpfscriptError, error } from '../../common/diagnostics';
import type { EmitContext } from '../functions/types';
import { ptRegsArgs } from './pt-regs';
import { uprobe } from './uprobe';
import type { ExpandTarget, ExpandedProbe, ProbeContext, ProbeSite } from './types';
import type { WatchpointAttach } from './watchpoint.attach';
import { SETUP_EVENT_BASE, SETUP_RECORD_SIZE } from '../compiled';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

/** HW_BREAKPOINT_R/W/X: the bits of perf_event_attr.bp_type. */
const MODE_BITS: Record<string, number> = { r: 1, w: 2, x: 4 };

const SIGSTOP = 19;

/** LEN and MODE of any watchpoint form, checked; returns bp_type. */
export function lengthAndMode(ap: AttachPoint, lenText: string, mode: string): number {
  if (!/^[1248]$/.test(lenText)) throw error(`invalid watchpoint length '${lenText}'`, ap.span, 'the hardware watches 1, 2, 4 or 8 bytes');
  if (!/^[rwx]+$/.test(mode) || new Set(mode).size !== mode.length) {
    throw error(`invalid watchpoint mode '${mode}'`, ap.span, 'MODE is made of r (read), w (write) and x (execute), each once: w, rw, x');
  }
  if (mode.includes('x') && mode !== 'x') throw error(`invalid watchpoint mode '${mode}'`, ap.span, 'x (execute) cannot be combined with r or w');
  return [...mode].reduce((bits, c) => bits | MODE_BITS[c], 0);
}

/** The binary whose FUNC is probed: bpftrace takes the -c command's first word, or /proc/PID/exe. */
function targetBinary(ap: AttachPoint, provider: string, target: ExpandTarget): string {
  if (target.command) return target.command;
  if (target.pid !== undefined && target.pid > 0) return `/proc/${target.pid}/exe`;
  throw error('-p PID or -c CMD required for watchpoint', ap.span, `${provider}:FUNC+argN watches memory of one process: give it with -p PID, or start it with -c CMD`);
}

export function expandFunctionWatchpoint(ap: AttachPoint, provider: 'watchpoint' | 'asyncwatchpoint', target: ExpandTarget): ProbeSite<WatchpointAttach>[] {
  const [where, lenText, mode] = ap.parts;
  const m = /^([^+]+)\+(.*)$/.exec(where);
  if (!m || where.indexOf('+') !== where.lastIndexOf('+')) {
    throw error(`invalid ${provider} function and argument '${where}'`, ap.span, `write ${provider}:FUNC+argN:LENGTH:MODE, e.g. ${provider}:increment+arg1:4:w`);
  }
  const [, func, argText] = m;
  const arg = /^arg(\d+)$/.exec(argText);
  if (!arg) throw error(`invalid ${provider} argument '${argText}'`, ap.span, 'the address to watch is one of the function\'s arguments: arg0 … arg5');
  const n = Number(arg[1]);
  if (n >= ptRegsArgs.count) throw error(`x86_64 doesn't support arg${arg[1]}`, ap.span, `only arg0 … arg${ptRegsArgs.count - 1} are passed in registers`);
  const bpType = lengthAndMode(ap, lenText, mode);
  const binary = targetBinary(ap, provider, target);
  // The uprobe module resolves FUNC (wildcards included) in the binary's symbol tables, with its
  // diagnostics (nearest names, how to list them) on this attach point.
  const uprobeAp: AttachPoint = { ...ap, provider: 'uprobe', parts: [binary, func], raw: `uprobe:${binary}:${func}` };
  const sorted = [...mode].sort().join('');
  return uprobe.expand(uprobeAp).flatMap((u, i) => {
    // uprobe.ts lets a missing symbol through (libraries without some functions), its diagnostic
    // attached; bpftrace refuses such a watchpoint ("No probes to attach"), so say why here.
    if (u.unresolved) throw new BpfscriptError(u.unresolved);
    // FUNC given as an address has no symbol: the probe is named by the address as written.
    const symbol = u.attach.symbol ?? func;
    const slot = ap.span.start * 4096 + i;
    // bpftrace 0.17 names the probe target:function, then N of argN (left out for arg0, which it
    // stores as a zero address), the length and the mode with its letters sorted.
    const name = `${provider}:${u.attach.binary}:${symbol}${n ? `:${n}` : ''}:${lenText}:${sorted}`;
    const watch: ProbeSite<WatchpointAttach> = {
      name,
      section: 'perf_event',
      attach: { role: 'watch', slot, len: Number(lenText), bpType },
      ap,
    };
    const setup: ProbeSite<WatchpointAttach> = {
      name: `${name}_wp_setup`,
      section: 'uprobe',
      attach: { role: 'setup', slot, binary: u.attach.binary, offset: u.attach.offset, symbol, arg: n, async: provider === 'asyncwatchpoint' },
      ap,
    };
    return [watch, setup];
  });
}

/**
 * The guard of watchpoint probes: true for the body's own program; in a setup program, stops the
 * process (unless async), sends argN to user space and is false, so the body is left out.
 */
export function watchpointGuard(ctx: EmitContext, p: ExpandedProbe<WatchpointAttach>): Val {
  const { b, c } = ctx;
  const a = p.attach;
  if (a.role !== 'setup') return c.constInt(c.int(1), 1);
  if (!a.async) b.helper(BpfHelper.SEND_SIGNAL, ctx.i64, [c.int(32)], [c.constInt(c.int(32), SIGSTOP)]);
  const addr = ptRegsArgs.read(ctx, a.arg);
  const rec = ctx.zeroed(SETUP_RECORD_SIZE, 'wp_setup');
  const slots = b.bitcast(rec, c.ptr(ctx.i64));
  b.store(ctx.constInt(SETUP_EVENT_BASE + a.slot), slots);
  b.store(addr, b.byteOffset(rec, 8, ctx.i64));
  ctx.submitEvent(rec, SETUP_RECORD_SIZE);
  return c.constInt(c.int(1), 0);
}

/** The capabilities both watchpoint types share: the setup program is a uprobe on FUNC, the body a perf event. */
export const watchpointCapabilities = {
  addressSpace: 'kernel',
  context: (p: ExpandedProbe<WatchpointAttach>): ProbeContext => (p.attach.role === 'setup' ? 'pt_regs' : 'perf'),
  // FUNC, in the setup program (the body's own program has no function).
  tracedFunction: (p: ExpandedProbe<WatchpointAttach>) => (p.attach.role === 'setup' ? { name: p.attach.symbol } : undefined),
  guard: watchpointGuard,
} as const;
