// signal(sig): sends a signal to the current task from the probe (bpf_send_signal), by name
// ("SIGKILL" or "KILL") or number (1-64). Only with --unsafe, and only in probes that run in the
// context of a task, as in bpftrace 0.17. signal_thread(sig) (bpftrace 0.25+) signals the current
// thread alone (bpf_send_signal_thread).

import { constants } from 'node:os';
import type { Call } from '../ast';
import { probeTypes, type ProbeType } from '../probes';
import { none } from '../../common/types';
import type { CheckContext, FunctionDef } from './types';
import { allowedUnsafe } from './unsafe';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

const maySignal = (t: ProbeType): boolean => !!t.maySendSignal;

/** Reports the call when the probe's type may not send signals, naming the types that may. */
function checkProbeType(ctx: CheckContext, call: Call): void {
  if (maySignal(ctx.probe.type)) return;
  const where = probeTypes().filter(maySignal).map((t) => t.name);
  ctx.error(`${call.name} can not be used with "${ctx.probe.provider}" probes`, call, `${call.name}() works in ${where.join(', ')} probes`);
}

function signalNumber(name: string): number | undefined {
  const key = (name.startsWith('SIG') ? name : `SIG${name}`) as keyof typeof constants.signals;
  return Object.hasOwn(constants.signals, key) ? constants.signals[key] : undefined;
}

function signalFunction(name: 'signal' | 'signal_thread', helper: BpfHelper): FunctionDef {
  return {
    name,
    check(ctx, call) {
      if (!allowedUnsafe(ctx, call, true)) return none;
      checkProbeType(ctx, call);
      const [sig, ...extra] = call.args;
      if (!sig || extra.length) {
        ctx.error(`${name}() takes one argument, a signal name or number`, call, `for example ${name}("SIGKILL")`);
        return none;
      }
      if (sig.kind === 'StrLit') {
        if (signalNumber(sig.value) === undefined) ctx.error(`${sig.value} is not a valid signal`, sig, 'for example "SIGKILL", "KILL" or 9');
        return none;
      }
      const t = ctx.typeOf(sig);
      if (sig.kind === 'IntLit' && (sig.value < 1n || sig.value > 64n)) ctx.error(`${sig.value} is not a valid signal, allowed range: [1,64]`, sig);
      else if (t.kind !== 'int' && t.kind !== 'none') ctx.error(`${name} only accepts string literals or integers`, sig);
      return none;
    },
    emit(ctx, call) {
      const { b, c } = ctx;
      const i32 = c.int(32);
      const [sig] = call.args;
      const n = sig.kind === 'StrLit' ? c.constInt(i32, signalNumber(sig.value)!) : b.intCast(ctx.emit(sig).v, i32, false);
      b.helper(helper, ctx.i64, [i32], [n]);
      return { type: none, v: ctx.constInt(0) };
    },
  };
}

export const signal = signalFunction('signal', BpfHelper.SEND_SIGNAL);
export const signal_thread = signalFunction('signal_thread', BpfHelper.SEND_SIGNAL_THREAD);
