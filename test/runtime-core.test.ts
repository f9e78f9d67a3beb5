// End to end in the real kernel: compile, load, attach, run a workload with known syscalls,
// check the exact output, and check nothing stays loaded.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bpfscript, bpfscriptUntil, fixture, leakedPrograms, renamedFixture } from './helpers';

const W = () => fixture('syscalls');

test.after.each(() => {
  assert.equal(leakedPrograms(), [], 'no bpfscript program may stay loaded');
});

test('BEGIN printf and exit', () => {
  const r = bpfscript(['-e', 'BEGIN { printf("hello\\n"); exit(); }']);
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  assert.is(r.stdout, 'Attaching 1 probe...\nhello\n\n\n');
});

test('count by comm over a known number of getppid() calls', () => {
  const r = bpfscript(['-e', 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[comm] = count(); }', '-c', `${W()} 1000`]);
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  assert.is(r.stdout, 'Attaching 1 probe...\n\n\n@[syscalls]: 1000\n');
});

test('the count one-liner gives the same numbers as bpftrace', () => {
  const prog = 'tracepoint:syscalls:sys_enter_openat /pid == cpid/ { @[comm] = count(); @total = count(); }';
  const ours = bpfscript(['-e', prog, '-c', `${W()} 800`]);
  const theirs = spawnSync('bpftrace', ['-e', prog, '-c', `${W()} 800`], { encoding: 'utf8' });
  assert.is(ours.status, 0, ours.stderr);
  assert.ok(ours.stdout.includes('@[syscalls]: 400\n'), ours.stdout);
  assert.ok(ours.stdout.includes('@total: 400\n'), ours.stdout);
  assert.is(ours.stdout, theirs.stdout);
});

test('sum, predicates on args and several maps', () => {
  const prog = `
    tracepoint:syscalls:sys_enter_openat /pid == cpid && args->flags == 0/ {
      @opens = count();
      @flags_sum = sum(args->flags + 2);
      @by_pid_and_name[pid == cpid, "dev-null"] = count();
    }`;
  const r = bpfscript(['-e', prog, '-c', `${W()} 100`]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n\n\n@by_pid_and_name[1, dev-null]: 50\n@flags_sum: 100\n@opens: 50\n');
});

test('plain map assignment, variables, arithmetic and ternary', () => {
  const prog = 'BEGIN { $a = 6; $b = $a * 7 - 2; @x = $b; @y["k"] = $a > 5 ? 10 : 20; @z = 7 / 2 - 5 % 3; @w = (1 << 4) | 3; exit(); }';
  const r = bpfscript(['-e', prog]);
  assert.is(r.stderr, '');
  const bt = spawnSync('bpftrace', ['-e', prog], { encoding: 'utf8' });
  assert.is(r.stdout, bt.stdout);
  assert.is(r.stdout, 'Attaching 1 probe...\n\n\n@w: 19\n@x: 40\n@y[k]: 10\n@z: 1\n');
});

test('signed division of negative numbers (bpftrace 0.17 divides unsigned; later versions and C sign)', () => {
  const r = bpfscript(['-e', 'BEGIN { @z = -3 / 2; @m = -7 % 3; exit(); }']);
  assert.is(r.stdout, 'Attaching 1 probe...\n\n\n@m: -1\n@z: -1\n');
});

test('printf with tracepoint fields, comm and pid', () => {
  const prog = 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @n = count(); } END { printf("%s done\\n", "workload"); }';
  const r = bpfscript(['-e', prog, '-c', `${W()} 7`]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 2 probes...\nworkload done\n\n\n@n: 7\n');
});

test('interval probe fires and exit() stops', () => {
  const t0 = Date.now();
  const r = bpfscript(['-e', 'interval:ms:100 { printf("tick %d\\n", 42); exit(); }']);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\ntick 42\n\n\n');
  assert.ok(Date.now() - t0 < 10_000);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} ends tracing, runs END and prints the maps`, async () => {
    const r = await bpfscriptUntil(
      ['-e', `tracepoint:syscalls:sys_enter_getppid /comm == "${renamedFixture('syscalls').comm}"/ { @calls = count(); } END { printf("end\\n"); }`],
      () => {
        spawnSync(renamedFixture('syscalls').path, ['321']);
      },
      signal,
    );
    assert.is(r.stderr, '');
    assert.is(r.status, 0);
    assert.is(r.stdout, 'Attaching 2 probes...\nend\n\n\n@calls: 321\n');
  });
}

test('SIGKILL leaves nothing loaded either (the kernel owns fds, nothing is pinned)', async () => {
  const r = await bpfscriptUntil(['-e', 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }'], () => {}, 'SIGKILL');
  assert.is(r.status, null);
});

test('--dry-run loads and attaches, then exits cleanly', () => {
  const r = bpfscript(['--dry-run', '-e', 'tracepoint:syscalls:sys_enter_getppid { @ = count(); }']);
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  assert.is(r.stdout, 'Attaching 1 probe...\n');
});

test('--emit-elf and --emit-llvm compile without loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscript-'));
  const r = bpfscript(['--emit-elf', join(dir, 'p.o'), '--emit-llvm', join(dir, 'p.ll'), '-e', 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '');
  const elf = readFileSync(join(dir, 'p.o'));
  assert.is(elf.subarray(0, 4).toString('latin1'), '\x7fELF');
  const ir = readFileSync(join(dir, 'p.ll'), 'utf8');
  assert.match(ir, /section "tracepoint\/syscalls\/sys_enter_openat"/);
  assert.match(ir, /section "\.maps"/);
});

test.run();
