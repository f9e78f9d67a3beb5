// syscall_name(n) (bpftrace 0.25+) and signal_name(sig) (0.26+): a system call's name ("openat")
// and a signal's description as strsignal(3) words it ("Interrupt"). The probe records the
// number; the value format names it when the value is printed, as strerror() does. Unknown
// numbers read "Unknown syscall" and "N/A", as in bpftrace.

import { none, type StringType } from '../../common/types';
import { syscallName } from './syscall-table';
import type { FunctionDef, ValueFormat } from './types';

/** strsignal(3)'s words for signals 1-31 (glibc); 32-64 are real-time signals. */
const SIGNALS = (
  'Hangup|Interrupt|Quit|Illegal instruction|Trace/breakpoint trap|Aborted|Bus error|' +
  'Floating point exception|Killed|User defined signal 1|Segmentation fault|User defined signal 2|' +
  'Broken pipe|Alarm clock|Terminated|Stack fault|Child exited|Continued|Stopped (signal)|Stopped|' +
  'Stopped (tty input)|Stopped (tty output)|Urgent I/O condition|CPU time limit exceeded|' +
  'File size limit exceeded|Virtual timer expired|Profiling timer expired|Window changed|I/O possible|' +
  'Power failure|Bad system call'
).split('|');

/** glibc reserves 32 and 33 for its threads: SIGRTMIN, "Real-time signal 0", is 34. */
const SIGRTMIN = 34;

export function signalText(sig: number): string {
  if (sig >= 1 && sig <= SIGNALS.length) return SIGNALS[sig - 1];
  if (sig >= SIGRTMIN && sig <= 64) return `Real-time signal ${sig - SIGRTMIN}`;
  if (sig >= 0 && sig < SIGRTMIN) return `Unknown signal ${sig}`;
  return 'N/A';
}

export const syscallText = (n: number): string => syscallName(n) ?? 'Unknown syscall';

function numberName(name: 'syscall_name' | 'signal_name', words: (n: number) => string): { fn: FunctionDef; format: ValueFormat } {
  const type: StringType = { kind: 'string', size: 8, format: name };
  const fn: FunctionDef = {
    name,
    check(ctx, call) {
      if (call.args.length !== 1) {
        ctx.error(`${name}() takes one argument, a number`, call);
        return none;
      }
      const t = ctx.typeOf(call.args[0]);
      if (t.kind === 'none') return none;
      if (t.kind !== 'int') {
        ctx.error(`${name}() takes an integer, got ${t.kind}`, call.args[0]);
        return none;
      }
      return type;
    },
    emit(ctx, call) {
      const v = ctx.emit(call.args[0]);
      const out = ctx.zeroed(8, name);
      // As bpftrace casts it: the low 32 bits, signed.
      const n32 = ctx.b.intCast(v.v, ctx.c.int(32), false);
      ctx.b.store(ctx.b.intCast(n32, ctx.i64, true), ctx.b.bitcast(out, ctx.c.ptr(ctx.i64)));
      return { type, v: out };
    },
  };
  const format: ValueFormat = {
    name,
    decode: (view, off) => words(Number(view.getBigInt64(off, true))),
    printf: 'string',
  };
  return { fn, format };
}

const syscall = numberName('syscall_name', syscallText);
const signal = numberName('signal_name', signalText);

export const syscall_name = syscall.fn;
syscall_name.examples = [{ script: 'BEGIN { printf("%s\\n", syscall_name(1)); exit(); }', output: 'write\n\n\n' }];
export const syscallNameFormat: ValueFormat = { ...syscall.format, examples: [{ script: 'BEGIN { @ = syscall_name(0); exit(); }', output: '\n\n@: read\n' }] };
export const signal_name = signal.fn;
signal_name.examples = [{ script: 'BEGIN { print(signal_name(2)); exit(); }', output: 'Interrupt\n\n\n' }];
export const signalNameFormat: ValueFormat = { ...signal.format, examples: [{ script: 'BEGIN { @ = signal_name(9); exit(); }', output: '\n\n@: Killed\n' }] };
