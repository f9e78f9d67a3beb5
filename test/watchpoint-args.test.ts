// watchpoint:FUNC+argN and asyncwatchpoint:FUNC+argN in the real kernel: a uprobe on FUNC in the
// traced process reports the address in argN, the runtime sets a hardware breakpoint there. The
// workload (test/fixtures/watch-args.c) passes the address of a variable to a function and then
// writes the variable a known number of times; outputs are exact and compared with bpftrace 0.17.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { spawn } from './child';
import { BIN, bpfscript, fixture, leakedPrograms, sameAsBpftrace } from './helpers';

const WA = () => fixture('watch-args');

/** The state letter of /proc/PID/stat (T: stopped). */
function stateOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2];
  } catch {
    return 'gone';
  }
}

test('watchpoint:FUNC+argN stops the process in FUNC, watches the address it got, counts every write', () => {
  const out = sameAsBpftrace('watchpoint:watch_arg1+arg1:8:w { @[probe] = count(); }', ['-c', `${WA()} once 5`]);
  assert.is(out, `Attaching 1 probe...\n\n\n@[watchpoint:${WA()}:watch_arg1:1:8:w]: 5\n`);
  assert.equal(leakedPrograms(), []);
});

test('watchpoint:FUNC+argN: a repeated address is watched once, a new one as well, the first stays', () => {
  const out = sameAsBpftrace('w:watch_arg1+arg1:8:w { printf("%s\\n", probe); }', ['-c', `${WA()} two`]);
  assert.is(out, `Attaching 1 probe...\n${`watchpoint:${WA()}:watch_arg1:1:8:w\n`.repeat(6)}\n\n`);
});

test('watchpoint:FUNC+arg0 leaves the argument out of the probe name, as bpftrace 0.17 does', () => {
  const out = sameAsBpftrace('watchpoint:watch_arg0+arg0:8:rw { @[probe] = count(); }', ['-c', `${WA()} first 3`]);
  assert.is(out, `Attaching 1 probe...\n\n\n@[watchpoint:${WA()}:watch_arg0:8:rw]: 3\n`);
});

test('watchpoint:FUNC+argN: more addresses than debug registers says so and goes on', () => {
  const out = sameAsBpftrace('watchpoint:watch_arg1+arg1:8:w { @ = count(); }', ['-c', `${WA()} many`]);
  assert.match(out, /^Attaching 1 probe\.\.\.\n(Failed to attach watchpoint probe\. You are out of watchpoint registers\.\n)+\n\n@: [1-5]\n$/);
  const json = sameAsBpftrace('watchpoint:watch_arg1+arg1:8:w { @ = count(); }', ['-f', 'json', '-c', `${WA()} many`]);
  assert.match(json, /^\{"type": "attached_probes", "data": \{"probes": 1\}\}\n(\{"type": "lost_events", "data": "Failed to attach watchpoint probe\. You are out of watchpoint registers\."\}\n)+/);
});

test('asyncwatchpoint:FUNC+argN watches without stopping the process', () => {
  // The fixture writes until it is killed, so the breakpoint, set a little later, is hit. exit()
  // takes a moment, in which the loop writes again: the predicate keeps the output to one hit
  // (the writes come from one thread, one after another), as a loaded machine showed.
  const out = sameAsBpftrace('aw:watch_arg1+arg1:8:w /@hits == 0/ { @hits = 1; printf("hit %s\\n", probe); exit(); }', ['-c', `${WA()} spin`]);
  assert.is(out, `Attaching 1 probe...\nhit asyncwatchpoint:${WA()}:watch_arg1:1:8:w\n\n\n@hits: 1\n`);
  assert.equal(leakedPrograms(), []);
});

test('watchpoint:FUNC+argN with -p names the process by /proc/PID/exe', async () => {
  const target = spawn(WA(), ['wait', '4'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exe = `/proc/${target.pid}/exe`;
  const targetExited = new Promise((r) => target.on('exit', r));
  const r = await new Promise<{ stdout: string; stderr: string; status: number | null }>((resolve) => {
    const p = spawn(process.execPath, [BIN, '-e', 'BEGIN { printf("ready\\n"); } watchpoint:watch_arg1+arg1:8:w { @[probe] = count(); }', '-p', String(target.pid)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', async (d) => {
      const was = stdout;
      stdout += d;
      // BEGIN runs after every probe is attached: only then may the target call the function.
      if (!was.includes('ready\n') && stdout.includes('ready\n')) {
        target.stdin!.end('x');
        await targetExited;
        p.kill('SIGINT');
      }
    });
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => {
      target.kill();
      resolve({ stdout, stderr, status });
    });
  });
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  assert.is(r.stdout, `Attaching 2 probes...\nready\n\n\n@[watchpoint:${exe}:watch_arg1:1:8:w]: 4\n`);
  assert.equal(leakedPrograms(), []);
});

test('exit() racing the watchpoint setup leaves no process stopped and nothing loaded', async () => {
  // Both uprobes fire in the same call: whichever record is handled first, the target stopped by
  // the setup uprobe must be continued (bpftrace 0.17 leaves it stopped when exit() wins). The
  // kernel runs the last-attached uprobe first, so here exit() wins (@: 0) on this kernel.
  const target = spawn(WA(), ['wait', '3'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const targetExited = new Promise<number | null>((r) => target.on('exit', (code) => r(code)));
  const prog = `BEGIN { printf("ready\\n"); } watchpoint:watch_arg1+arg1:8:w { @ = count(); } uprobe:/proc/${target.pid}/exe:watch_arg1 { exit(); }`;
  const r = await new Promise<{ stdout: string; status: number | null }>((resolve) => {
    const p = spawn(process.execPath, [BIN, '-e', prog, '-p', String(target.pid)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    p.stdout.on('data', (d) => {
      const was = stdout;
      stdout += d;
      if (!was.includes('ready\n') && stdout.includes('ready\n')) target.stdin!.end('x');
    });
    p.on('close', (status) => {
      // A failed start never lets the target go; a stopped one is not killed here (see below).
      if (!stdout.includes('ready\n')) target.kill();
      resolve({ stdout, status });
    });
  });
  assert.is(r.status, 0);
  assert.match(r.stdout, /^Attaching 3 probes\.\.\.\nready\n\n\n@: [0-3]\n$/);
  // A stopped target never exits: give it a moment, then say so and end it.
  const ended = await Promise.race([targetExited, new Promise((r) => setTimeout(() => r(`still there, state ${stateOf(target.pid!)}`), 10_000))]);
  target.kill('SIGKILL');
  assert.is(ended, 0);
  assert.equal(leakedPrograms(), []);
});

test('watchpoint:FUNC+argN misuse: a clear error on the attach point, exit 1', () => {
  const cases: [string[], RegExp][] = [
    [['-e', 'watchpoint:watch_arg1+arg1:8:w { @ = count(); }'], /^stdin:1:1-31: ERROR: -p PID or -c CMD required for watchpoint\n[^\n]*\n~+\nHINT: .*-p PID.*-c CMD\n$/],
    [['-e', 'watchpoint:watch_arg1+arg6:8:w { @ = count(); }', '-c', WA()], /ERROR: x86_64 doesn't support arg6\n[\s\S]*HINT: only arg0 … arg5/],
    [['-e', 'watchpoint:watch_arg1+rg1:8:w { @ = count(); }', '-c', WA()], /ERROR: invalid watchpoint argument 'rg1'\n[\s\S]*HINT: /],
    [['-e', 'watchpoint:watch_arg1+arg1+2:8:w { @ = count(); }', '-c', WA()], /ERROR: invalid watchpoint function and argument 'watch_arg1\+arg1\+2'\n[\s\S]*HINT: write watchpoint:FUNC\+argN:LENGTH:MODE/],
    [['-e', 'watchpoint:watch_arg1+arg1:3:w { @ = count(); }', '-c', WA()], /ERROR: invalid watchpoint length '3'\n[\s\S]*HINT: the hardware watches 1, 2, 4 or 8 bytes\n/],
    [['-e', 'aw:watch_arg1+arg1:8:wx { @ = count(); }', '-c', WA()], /ERROR: invalid watchpoint mode 'wx'\n[\s\S]*HINT: x \(execute\) cannot be combined with r or w\n/],
    [['-e', 'asyncwatchpoint:0x10000000:8:w { @ = count(); }', '-c', WA()], /^stdin:1:1-31: ERROR: asyncwatchpoint requires a function name\n[\s\S]*HINT: .*watchpoint:ADDRESS:LENGTH:MODE\n$/],
    [['-e', 'watchpoint:watch_arg1+arg1:8:w { @ = count(); }', '-c', '/nonexistent/prog'], /ERROR: binary not found: \/nonexistent\/prog\n[\s\S]*HINT: /],
  ];
  for (const [args, err] of cases) {
    const r = bpfscript(args);
    assert.is(r.status, 1, args.join(' '));
    assert.is(r.stdout, '', args.join(' '));
    assert.match(r.stderr, err, args.join(' '));
    assert.not.match(r.stderr, /at .*\.js:\d+/, 'no stack trace');
  }
});

test('watchpoint:FUNC+argN on a function the binary lacks is refused before attaching, with the nearest names', () => {
  // bpftrace 0.17 says only "No probes to attach".
  const r = bpfscript(['-e', 'watchpoint:watch_ar1+arg1:8:w { @ = count(); }', '-c', `${WA()} once`]);
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^stdin:1:1-30: ERROR: symbol not found in .*watch-args: watch_ar1\n[\s\S]*HINT: did you mean: watch_arg[01], watch_arg[01]\?\n$/);
});

test.run();
