// Tracepoints whose bodies read only fields that the raw tracepoint's arguments carry unchanged run
// as raw tracepoints (src/semantic/lower-raw-tracepoints.ts, src/probes/tracepoint-raw-fields.ts).
// Each one-liner here runs both ways on the same workload, in the real kernel, and must print the
// same; BPFSCRIPT_RAW_TP=0 keeps the tracepoint.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';
import { bpfscript, isRoot, renamedFixture } from './helpers';

useLibbpfFeatureProbes();

const GETPPID = 110;
const OPENAT = 257;
const CLOSE = 3;
const N = 2000;

/** How the probe compiles: its provider and ELF section. */
function compiled(src: string, env: NodeJS.ProcessEnv = {}): string {
  const saved = process.env.BPFSCRIPT_RAW_TP;
  if (env.BPFSCRIPT_RAW_TP !== undefined) process.env.BPFSCRIPT_RAW_TP = env.BPFSCRIPT_RAW_TP;
  try {
    const p = compile(src, { file: 'stdin' }).meta.probes[0];
    return `${p.provider} ${JSON.stringify(p.attach)}`;
  } finally {
    if (saved === undefined) delete process.env.BPFSCRIPT_RAW_TP;
    else process.env.BPFSCRIPT_RAW_TP = saved;
  }
}

test('args fields the raw arguments carry compile to the raw tracepoint; computed ones keep the tracepoint', () => {
  const raw = (s: string) => assert.match(compiled(s), /^rawtracepoint /, s);
  const tp = (s: string) => assert.match(compiled(s), /^tracepoint /, s);
  raw('tracepoint:raw_syscalls:sys_enter { @[args->id] = count(); }');
  raw('tracepoint:raw_syscalls:sys_enter /args.id == 1/ { @ = hist(args->id); }');
  raw('tracepoint:raw_syscalls:sys_exit { @ = lhist(args->ret, 0, 10, 1); }');
  raw('tracepoint:irq:softirq_entry { @[args->vec] = count(); }');
  // sys_exit's id is syscall_get_nr() of the registers, not an argument of the raw tracepoint.
  tp('tracepoint:raw_syscalls:sys_exit { @[args->id] = count(); }');
  // The syscall's arguments are copied out of pt_regs by the event.
  tp('tracepoint:raw_syscalls:sys_enter { @ = sum(args->args[0]); }');
  // A field of an event not known to copy it.
  tp('tracepoint:sched:sched_switch { @[args->prev_pid] = count(); }');
  assert.match(compiled('tracepoint:raw_syscalls:sys_enter { @[args->id] = count(); }', { BPFSCRIPT_RAW_TP: '0' }), /^tracepoint /);
});

/** The script run on the syscalls fixture (N getppid(), N/2 openat() and close()), both ways. */
function bothWays(script: (comm: string) => string): { raw: string; tp: string } {
  const { path, comm } = renamedFixture('syscalls');
  const run = (env: NodeJS.ProcessEnv) => {
    const r = bpfscript(['-e', script(comm), '-c', `${path} ${N}`], { env, timeoutMs: 60_000 });
    assert.is(r.status, 0, r.stderr);
    // Equal counts print in hash order, which differs between two runs: compare sorted lines.
    return r.stdout.replace(/^Attaching .*\n/m, '').split('\n').sort().join('\n');
  };
  return { raw: run({}), tp: run({ BPFSCRIPT_RAW_TP: '0' }) };
}

const ids = `(args->id == ${GETPPID} || args->id == ${OPENAT} || args->id == ${CLOSE})`;

if (isRoot) {
  test('count by args->id: the raw tracepoint counts what the tracepoint counts', () => {
    const { raw, tp } = bothWays((c) => `tracepoint:raw_syscalls:sys_enter /comm == "${c}" && ${ids}/ { @[args->id] = count(); }`);
    assert.is(raw, tp);
    assert.match(raw, new RegExp(`@\\[${GETPPID}\\]: ${N}$`, 'm'));
    assert.match(raw, new RegExp(`@\\[${OPENAT}\\]: ${N / 2}$`, 'm'));
  });

  test('sum, hist and lhist of args->id: the same either way', () => {
    const { raw, tp } = bothWays((c) => `tracepoint:raw_syscalls:sys_enter /comm == "${c}" && ${ids}/ { @s[pid > 0] = sum(args->id); @h = hist(args->id); @l = lhist(args.id, 0, 300, 50); }`);
    assert.is(raw, tp);
    assert.match(raw, new RegExp(`@s\\[1\\]: ${GETPPID * N + (OPENAT + CLOSE) * (N / 2)}$`, 'm'));
  });

  test('sys_exit args->ret: the same either way', () => {
    // openat() of the fixture returns fd 3 each time, close() 0.
    const { raw, tp } = bothWays((c) => `tracepoint:raw_syscalls:sys_exit /comm == "${c}" && args->ret == 3/ { @ret3 = count(); } tracepoint:raw_syscalls:sys_exit /comm == "${c}"/ { @neg = sum(args->ret < 0); }`);
    assert.is(raw, tp);
    assert.match(raw, new RegExp(`@ret3: ${N / 2}$`, 'm'));
  });
}

test.run();
