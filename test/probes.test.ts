// Every probe type this kernel attaches, on deterministic workloads with exact expected output
// (compared with bpftrace where it runs the same script), and the refusals and attach-failure exit
// paths of the ones it cannot attach. Nothing may stay loaded after any test.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, spawnSync } from './child';
import { join } from 'node:path';
import { ROOT, assertVerifies, bpfscript, buildFixture, fixture, dynamicFixture, leakedPrograms } from './helpers';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// In-process compiles ask this kernel what it allows, as the CLI does.
useLibbpfFeatureProbes();

const W = () => fixture('syscalls');

/** test/fixtures/NAME.c built dynamically (libc from libc.so.6), with the given optimisation. */
const APP = () => dynamicFixture('usdt-app', '-O1');
const APP0 = () => dynamicFixture('usdt-app', '-O0');

function bpftrace(args: string[]): string {
  return spawnSync('bpftrace', args, { encoding: 'utf8' }).stdout;
}

/** Runs bpfscript until its BEGIN prints "ready", runs `whileRunning`, then sends SIGINT. */
function runUntilReady(args: string[], whileRunning: () => Promise<void>): Promise<{ stdout: string; stderr: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'bpfscript'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    p.stdout.on('data', async (d) => {
      stdout += d;
      if (started || !stdout.includes('ready\n')) return;
      started = true;
      try {
        await whileRunning();
      } catch (e) {
        reject(e);
      }
      p.kill('SIGINT');
    });
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ stdout, stderr, status }));
  });
}

test.after.each(() => {
  assert.equal(leakedPrograms(), [], 'no bpfscript program may stay loaded');
});

test('tracepoint wildcards expand to every match, each with its own probe name', () => {
  const prog = 'tracepoint:syscalls:sys_enter_getppi*, tracepoint:syscalls:sys_enter_opena* /pid == cpid/ { @[probe] = count(); }';
  const r = bpfscript(['-e', prog, '-c', `${W()} 100`]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 3 probes...\n\n\n@[tracepoint:syscalls:sys_enter_openat]: 50\n@[tracepoint:syscalls:sys_enter_getppid]: 100\n');
  assert.is(r.stdout, bpftrace(['-e', prog, '-c', `${W()} 100`]));
  // `?` (which bpftrace 0.17 does not take) matches one character
  const q = bpfscript(['-e', prog.replace('getppi*', 'getppi?'), '-c', `${W()} 100`]);
  assert.is(q.stdout, r.stdout);
});

test('a wildcard that matches nothing is an error', () => {
  const r = bpfscript(['-e', 'tracepoint:syscalls:sys_enter_nothing_like_this* { @ = count(); }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^stdin:1:1-\d+: ERROR: no tracepoint matches syscalls:sys_enter_nothing_like_this\*\n/);
  assert.is(r.stdout, '');
});

test('rawtracepoint: arg1 of sys_enter is the syscall number', () => {
  const r = bpfscript(['-e', 'rawtracepoint:sys_enter /pid == cpid && arg1 == 110/ { @getppid = count(); }', '-c', `${W()} 100`]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n\n\n@getppid: 100\n');
});

test('uprobe and uretprobe on a dynamic binary: arguments and return values', () => {
  const bin = APP();
  const prog = `uprobe:${bin}:work { @args[arg0] = sum(arg0 + arg1); } uretprobe:${bin}:work { @ret = sum(retval); @calls = count(); }`;
  const r = bpfscript(['-e', prog, '-c', `${bin} 4`]);
  assert.is(r.stderr, '');
  // work(i, 7) for i in 0..3 returns i*10 + 7
  const want = 'Attaching 2 probes...\n\n\n@args[0]: 7\n@args[1]: 8\n@args[2]: 9\n@args[3]: 10\n@calls: 4\n@ret: 88\n';
  assert.is(r.stdout, want);
  assert.is(r.stdout, bpftrace(['-e', prog, '-c', `${bin} 4`]));
});

test('uprobe and uretprobe on libc, named as bpftrace names it', () => {
  const bin = APP();
  const prog = 'uprobe:libc:getppid /pid == cpid/ { @calls = count(); } uretprobe:libc:getppid /pid == cpid/ { @positive = min(retval > 0); @probe[probe] = count(); }';
  const r = bpfscript(['-e', prog, '-c', `${bin} 5`]);
  assert.is(r.stderr, '');
  const want = 'Attaching 2 probes...\n\n\n@calls: 5\n@positive: 1\n@probe[uretprobe:/lib/x86_64-linux-gnu/libc.so.6:getppid]: 5\n';
  assert.is(r.stdout, want);
  assert.is(r.stdout, bpftrace(['-e', prog, '-c', `${bin} 5`]));
});

test('uprobe: an unknown symbol is a compile-time error with the nearest names', () => {
  const bin = APP();
  const r = bpfscript(['-e', `uprobe:${bin}:wrok { @ = count(); }`]);
  assert.is(r.status, 1);
  const ap = `uprobe:${bin}:wrok`;
  assert.is(
    r.stderr,
    `stdin:1:1-${ap.length + 1}: ERROR: symbol not found in ${bin}: wrok\n${ap} { @ = count(); }\n${'~'.repeat(ap.length)}\nHINT: did you mean: work?\n`,
  );
});

test('uprobe: a binary that does not exist is an error', () => {
  const r = bpfscript(['-e', 'uprobe:/no/such/binary:main { @ = count(); }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /ERROR: binary not found: \/no\/such\/binary\n/);
  assert.match(r.stderr, /HINT: give a full path, a command on PATH, or a library name such as libc\n/);
});

test("uprobe: an offset past the function's end and an address in no function are refused with bpftrace's words", () => {
  const past = bpfscript(['-e', 'uprobe:/bin/bash:echo_builtin+1000000 { exit(); }']);
  assert.is(past.status, 1);
  assert.match(past.stderr, /^stdin:1:1-38: ERROR: Offset outside the function bounds \('echo_builtin' size is \d+\)\n/);
  const nowhere = bpfscript(['-e', 'uprobe:/bin/bash:10 { exit(); }']);
  assert.is(nowhere.status, 1);
  assert.match(nowhere.stderr, /^stdin:1:1-20: ERROR: Could not resolve address: \/bin\/bash:0xa\n/);
  assert.is(nowhere.stdout, '', 'refused before attaching');
});

test('usdt: register arguments from the note, sign-extended by their size', () => {
  const bin = APP();
  // loop(i, -i, i*3): i as s64 in a register, -i as s32, i*3 as s16
  const prog = `usdt:${bin}:bpfs:loop { @a[arg0, arg1, arg2] = sum(arg0 + 1); } usdt:${bin}:done { @done = sum(arg0); }`;
  const r = bpfscript(['-e', prog, '-c', `${bin} 4`]);
  assert.is(r.stderr, '');
  const want = 'Attaching 2 probes...\n\n\n@a[0, 0, 0]: 1\n@a[1, -1, 3]: 2\n@a[2, -2, 6]: 3\n@a[3, -3, 9]: 4\n@done: 4\n';
  assert.is(r.stdout, want);
  assert.is(r.stdout, bpftrace(['-e', prog, '-c', `${bin} 4`]));
});

test('usdt: arguments in memory (OFFSET(%rbp)) at -O0', () => {
  const bin = APP0();
  const prog = `usdt:${bin}:bpfs:loop { @a[arg0, arg1, arg2] = sum(arg0 + 1); }`;
  const r = bpfscript(['-e', prog, '-c', `${bin} 3`]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n\n\n@a[0, 0, 0]: 1\n@a[1, -1, 3]: 2\n@a[2, -2, 6]: 3\n');
  assert.is(r.stdout, bpftrace(['-e', prog, '-c', `${bin} 3`]));
});

test('usdt with -p: attaches to a running process and raises its semaphores', async () => {
  const bin = APP();
  const app = spawn(bin, ['3', 'wait'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise<number | null>((res) => app.on('exit', (code) => res(code)));
  try {
    // BEGIN runs once every probe is attached: its line says the workload may start.
    const prog = `BEGIN { printf("ready\\n"); } usdt:${bin}:bpfs:guarded { @guarded = sum(arg0); } usdt:${bin}:bpfs:done { @done = count(); @pid_ok = min(pid == ${app.pid}); }`;
    const r = await runUntilReady(['-p', String(app.pid), '-e', prog], async () => {
      app.stdin!.end('go\n');
      assert.is(await exited, 0);
    });
    assert.is(r.stderr, '');
    assert.is(r.stdout, 'Attaching 3 probes...\nready\n\n\n@done: 1\n@guarded: 3\n@pid_ok: 1\n');
  } finally {
    app.kill();
  }
});

test('usdt semaphores with -c: the kernel raises them (ref_ctr_offset), as bpftrace does', () => {
  const bin = APP();
  const prog = `usdt:${bin}:bpfs:guarded { @guarded = sum(arg0); } usdt:${bin}:bpfs:done { @done = count(); }`;
  const r = bpfscript(['-e', prog, '-c', `${bin} 3`]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 2 probes...\n\n\n@done: 1\n@guarded: 3\n');
});

test('usdt semaphores without -p: raised in a process that was already running', async () => {
  const bin = APP();
  const app = spawn(bin, ['4', 'wait'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise<number | null>((res) => app.on('exit', (code) => res(code)));
  try {
    const prog = `BEGIN { printf("ready\\n"); } usdt:${bin}:bpfs:guarded /pid == ${app.pid}/ { @guarded = sum(arg0); }`;
    const r = await runUntilReady(['-e', prog], async () => {
      app.stdin!.end('go\n');
      assert.is(await exited, 0);
    });
    assert.is(r.stderr, '');
    assert.is(r.stdout, 'Attaching 2 probes...\nready\n\n\n@guarded: 4\n');
  } finally {
    app.kill();
  }
});

test('usdt: an unknown probe and a binary without notes are errors', () => {
  const bin = APP();
  let r = bpfscript(['-e', `usdt:${bin}:bpfs:nope { @ = count(); }`]);
  assert.is(r.status, 1);
  assert.match(r.stderr, new RegExp(`ERROR: no usdt probe bpfs:nope in ${bin}\\n`));
  r = bpfscript(['-e', `usdt:${W()}:bpfs:loop { @ = count(); }`]);
  assert.is(r.status, 1);
  assert.match(r.stderr, new RegExp(`ERROR: ${W()} has no usdt probes \\(no .note.stapsdt section\\)\\n`));
});

test('-p with a pid that does not exist is an error', () => {
  const r = bpfscript(['-p', '4000000', '-e', 'BEGIN { exit(); }']);
  assert.is(r.status, 1);
  assert.is(r.stderr, 'ERROR: -p 4000000: no such process\nHINT: give the pid of a running process\n');
});

test('profile fires on every CPU', () => {
  const ncpu = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  // cpu-clock samples stop on an idle CPU (no tick), so keep every CPU busy while profiling.
  const spinners = Array.from({ length: ncpu }, (_, c) =>
    spawn('taskset', ['-c', String(c), 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore' }),
  );
  let r;
  try {
    r = bpfscript(['-e', 'profile:ms:1 { @[cpu] = max(cpu + 1); } interval:ms:300 { exit(); }']);
  } finally {
    for (const s of spinners) s.kill('SIGKILL');
  }
  assert.is(r.stderr, '');
  const rows = Array.from({ length: ncpu }, (_, c) => `@[${c}]: ${c + 1}\n`).join('');
  assert.is(r.stdout, `Attaching 2 probes...\n\n\n${rows}`);
});

test('interval fires and exit() stops it: one line, as bpftrace prints', () => {
  const prog = 'interval:ms:10 { printf("tick\\n"); exit(); }';
  const r = bpfscript(['-e', prog]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\ntick\n\n\n');
  assert.is(r.stdout, bpftrace(['-e', prog]));
});

test('software: page faults of the traced command', () => {
  const r = bpfscript(['-e', 'software:page-faults:1 /pid == cpid/ { @faulted = max(1); }', '-c', `${W()} 10`]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n\n\n@faulted: 1\n');
});

test('BEGIN runs before and END after every other probe', () => {
  const prog = 'BEGIN { printf("begin\\n"); } interval:ms:10 { printf("tick\\n"); exit(); } END { printf("end\\n"); }';
  const r = bpfscript(['-e', prog]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 3 probes...\nbegin\ntick\nend\n\n\n');
  assert.is(r.stdout, bpftrace(['-e', prog]));
});

test('kprobe and kretprobe are refused here with the missing feature and what to use instead', () => {
  for (const p of ['kprobe:do_nanosleep', 'kretprobe:do_nanosleep']) {
    const r = bpfscript(['-e', `BEGIN { } ${p} { @ = count(); }`]);
    assert.is(r.status, 1);
    assert.is(r.stdout, '');
    assert.is(
      r.stderr,
      `ERROR: cannot attach ${p}: this kernel has no kprobe support (CONFIG_KPROBES / CONFIG_KPROBE_EVENTS is off)\n` +
        'HINT: trace a tracepoint instead (bpfscript -l "tracepoint:*"), or run on a kernel with kprobes\n',
    );
  }
});

test('hardware events are refused without a PMU', () => {
  const r = bpfscript(['-e', 'hardware:cycles:1000 { @ = count(); }']);
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.is(
    r.stderr,
    'ERROR: cannot attach hardware:cpu-cycles:1000: this machine exposes no hardware performance counters (no CPU PMU, as in most VMs)\n' +
      'HINT: use a software event (software:cpu-clock:1000000) or profile:hz:99\n',
  );
});

test('kprobe, kretprobe and hardware programs pass the verifier', async () => {
  const { compile } = await import('../src/compile');
  for (const src of [
    'kprobe:do_nanosleep { @[arg0, arg1] = count(); }',
    'kretprobe:do_nanosleep { @r = sum(retval); }',
    'kprobe:vfs_read+4 { @ = count(); }',
    'hardware:cache-misses:1000000 { @[cpu] = count(); }',
  ]) {
    assertVerifies(compile(src, { file: 'stdin' }).elf, src);
  }
});

test('an attach failure half-way detaches everything and leaves nothing loaded', () => {
  // syscalls:sys_enter_openat is a tracepoint, but no raw tracepoint has that name: the second
  // probe fails after the first one is attached.
  const r = bpfscript(['-e', 'tracepoint:syscalls:sys_enter_getppid { @ = count(); } rawtracepoint:sys_enter_openat { @ = count(); }']);
  assert.is(r.status, 1);
  assert.is(r.stdout, 'Attaching 2 probes...\n');
  assert.match(r.stderr, /^ERROR: failed to attach rawtracepoint:sys_enter_openat: .*\(ENOENT\)\n/);
  assert.not.match(r.stderr, /at .*\.js:\d+/, 'no stack trace');
});

/** test/fixtures/watch.c, static and not PIE, and the fixed address of its `counter`. */
function watchFixture(): { bin: string; addr: string } {
  const bin = buildFixture('watch', 'watch', ['-O1', '-static', '-no-pie']);
  const line = execFileSync('nm', [bin], { encoding: 'utf8' }).split('\n').find((l) => / counter$/.test(l))!;
  return { bin, addr: `0x${BigInt(`0x${line.split(' ')[0]}`).toString(16)}` };
}

test('watchpoint: a hardware breakpoint on a variable of the -c command counts its writes', () => {
  const { bin, addr } = watchFixture();
  const r = bpfscript(['-e', `watchpoint:${addr}:8:w { @[probe] = count(); }`, '-c', `${bin} 5`]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, `Attaching 1 probe...\n\n\n@[watchpoint:${addr}:8:w]: 5\n`);
});

test('watchpoint: needs a process, and a valid address, length and mode', () => {
  let r = bpfscript(['-e', 'watchpoint:0x10000000:8:rw { @ = count(); }']);
  assert.is(r.status, 1);
  assert.is(r.stdout, 'Attaching 1 probe...\n');
  assert.is(r.stderr, "ERROR: cannot attach watchpoint:0x10000000:8:rw: a watchpoint watches one process's memory\nHINT: give the process with -p PID, or start it with -c CMD\n");
  r = bpfscript(['-e', 'watchpoint:0x10000000:3:w { @ = count(); }']);
  assert.match(r.stderr, /ERROR: invalid watchpoint length '3'\n[\s\S]*HINT: the hardware watches 1, 2, 4 or 8 bytes\n/);
  r = bpfscript(['-e', 'watchpoint:0x10000000:8:wq { @ = count(); }']);
  assert.match(r.stderr, /ERROR: invalid watchpoint mode 'wq'\n/);
  r = bpfscript(['-e', 'watchpoint:0x10000000:8:rx { @ = count(); }']);
  assert.match(r.stderr, /HINT: x \(execute\) cannot be combined with r or w\n/);
  r = bpfscript(['-e', 'watchpoint:main:8:w { @ = count(); }']);
  assert.match(r.stderr, /ERROR: invalid watchpoint address 'main'\n/);
  r = bpfscript(['-e', 'watchpoint:0x10000000:8 { @ = count(); }']);
  assert.match(r.stderr, /ERROR: invalid watchpoint probe: watchpoint:0x10000000:8\n/);
});

test('a wildcard uprobe over many symbols attaches them all', () => {
  const r = bpfscript(['--dry-run', '-e', 'uprobe:libc:str* { @ = count(); }']);
  assert.is(r.stderr, '');
  const n = Number(/^Attaching (\d+) probes/.exec(r.stdout)?.[1]);
  assert.ok(n > 50, r.stdout);
});

test.run();
