// kstack, ustack, ksym, usym and uaddr in the kernel: stacks as map keys, map values, printf and
// print() arguments, in text and JSON, against bpftrace 0.17 and against the fixtures' symbols.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from './child';
import { readFileSync } from 'node:fs';
import { bpfscript, buildFixture, fixture, leakedPrograms, sameAsBpftrace } from './helpers';

test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

const syscalls = fixture('syscalls');

// Non-PIE (so uaddr's ELF address is the run-time one), -O0 with frame pointers (so the kernel
// unwinds every frame): the known chain main -> outer -> middle -> inner.
const stacksBin = buildFixture('stacks', 'stacks-nopie', ['-O0', '-fno-omit-frame-pointer', '-no-pie']);
const nm = new Map<string, number>();
for (const line of execFileSync('nm', [stacksBin], { encoding: 'utf8' }).split('\n')) {
  const m = /^([0-9a-f]+) \w (\S+)$/.exec(line);
  if (m) nm.set(m[2], parseInt(m[1], 16));
}

/**
 * The kernel's path into a syscall tracepoint goes through __traceiter_sys_enter only while more
 * than one tracer is attached to it (a static call otherwise); other tests running on this machine
 * attach and detach, so that frame comes and goes between two runs. Everything else must match.
 */
const steady = (s: string): string => s.replace(/^\s*(?:[0-9a-f]+ )?__traceiter_sys_enter\+\d+\n/gm, '');

function bothTools(prog: string, extra: string[]): { ours: string; theirs: string } {
  const ours = bpfscript(['-e', prog, ...extra]);
  assert.is(ours.stderr, '');
  assert.is(ours.status, 0);
  const theirs = spawnSync('bpftrace', ['-e', prog, ...extra], { encoding: 'utf8' });
  return { ours: steady(ours.stdout), theirs: steady(theirs.stdout) };
}

// Depth 1 or the whole stack: a cut-off stack would shift by the frame steady() drops.
const KSTACKS =
  'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[kstack(1)] = count(); @b[kstack(perf)] = count(); @s = kstack; ' +
  '@y[1] = kstack(1); printf("%s|\\n", kstack(1)); print(kstack(1)); @n[kstack] = count(); exit(); }';

test('kstack as a map key, map value, printf and print argument: text as bpftrace 0.17 prints it', () => {
  const { ours, theirs } = bothTools(KSTACKS, ['-c', `${syscalls} 1`]);
  assert.is(ours, theirs);
  assert.match(ours, /\n@\[\n {4}perf_syscall_enter\+\d+\n\]: 1\n/);
  assert.match(ours, /\n@b\[\n\t[0-9a-f]{16} perf_syscall_enter\+\d+\n/);
  assert.match(ours, /\n@s: \n {8}perf_syscall_enter\+\d+\n {8}syscall_trace_enter\+\d+\n/);
  assert.match(ours, /\n {4}entry_SYSCALL_64_after_hwframe\+\d+\n\]: 1\n/);
});

test('kstack in -f json, as bpftrace 0.17 prints it', () => {
  const { ours, theirs } = bothTools(KSTACKS, ['-f', 'json', '-c', `${syscalls} 1`]);
  assert.is(ours, theirs);
  assert.match(ours, /{"type": "map", "data": {"@": {"\\n {4}perf_syscall_enter\+\d+\\n/);
});

test('kstack(raw) prints the addresses kstack(perf) symbolises, and they are in /proc/kallsyms text', () => {
  const r = bpfscript(['-e', 'tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @r[kstack(raw, 4)] = count(); @p[kstack(perf, 4)] = count(); exit(); }', '-c', `${syscalls} 1`]);
  assert.is(r.stderr, '');
  const raw = /@r\[\n((?:[0-9a-f]+\n)+)\]: 1/.exec(r.stdout)![1].trim().split('\n');
  const perf = [...r.stdout.matchAll(/^\t([0-9a-f]+) (\w+)\+(\d+)$/gm)];
  assert.is(raw.length, perf.length);
  const kallsyms = readFileSync('/proc/kallsyms', 'utf8');
  for (const [i, m] of perf.entries()) {
    assert.is(raw[i], m[1]);
    const start = new RegExp(`^([0-9a-f]+) [tT] ${m[2]}$`, 'm').exec(kallsyms)![1];
    assert.is(BigInt(`0x${m[1]}`) - BigInt(`0x${start}`), BigInt(m[3]), `${m[2]}+${m[3]}`);
  }
});

test('ksym and usym values as map keys, values and printf arguments, as bpftrace 0.17', () => {
  const out = sameAsBpftrace(
    'BEGIN { @k[ksym(kaddr("vfs_read") + 3)] = count(); @kv = ksym(kaddr("vfs_read")); @u = usym(kaddr("vfs_read")); ' +
      '@x[1] = ksym(kaddr("vfs_read")); @x[2] = ksym(kaddr("vfs_write")); printf("%s %s\\n", ksym(kaddr("vfs_write") + 1), ksym(0)); exit(); }',
  );
  assert.match(out, '\nvfs_write 0\n');
  assert.match(out, '\n@k[vfs_read]: 1\n@kv: vfs_read\n');
  assert.match(out, '\n@x[1]: vfs_read@x[2]: vfs_write\n');
});

const hex = (name: string) => nm.get(name)!.toString(16);

test('ustack from a uprobe: the call chain of the fixture, each frame checked against its symbol table', () => {
  const prog =
    `uprobe:${stacksBin}:inner { @[ustack(4)] = count(); @p[ustack(perf, 4)] = count(); @r[ustack(raw, 2)] = count(); ` +
    `@u = usym(reg("ip")); printf("%s|%s\\n", usym(reg("ip")), ustack(2)); exit(); }`;
  const r = bpfscript(['-e', prog, '-c', `${stacksBin} 1`]);
  assert.is(r.stderr, '');
  const frames = /\n@\[\n((?: {4}.*\n)+)\]: 1\n/.exec(r.stdout)![1].trim().split(/\n\s*/);
  assert.equal(frames.map((f) => f.replace(/\+\d+$/, '')), ['inner', 'middle', 'outer', 'main']);
  assert.is(frames[0], 'inner+0');
  const perf = [...r.stdout.matchAll(/^\t([0-9a-f]+) (\w+)\+(\d+) \((.*)\)$/gm)];
  assert.equal(perf.map((m) => m[2]), ['inner', 'middle', 'outer', 'main']);
  for (const m of perf) {
    assert.is(parseInt(m[1], 16) - nm.get(m[2])!, Number(m[3]), `${m[2]}+${m[3]}`);
    assert.is(m[4], stacksBin);
  }
  assert.match(r.stdout, `\n@r[\n${hex('inner')}\n${perf[1][1]}\n]: 1\n`);
  assert.match(r.stdout, '\n@u: inner\n');
  // printf resolves while the process lives: bpftrace 0.17 prints the same.
  const printfOnly = `uprobe:${stacksBin}:inner { printf("%s|%s\\n", usym(reg("ip")), ustack(2)); exit(); }`;
  const theirs = spawnSync('bpftrace', ['-e', printfOnly, '-c', `${stacksBin} 1`], { encoding: 'utf8' }).stdout;
  const printed = `inner|\n        inner+0\n        middle+${perf[1][3]}\n`;
  assert.ok(r.stdout.includes(printed), r.stdout);
  assert.ok(theirs.includes(printed), theirs);
});

test('ustack keys keep processes apart; @s[tid] = ustack stores one per thread', () => {
  const r = bpfscript(['-e', `uprobe:${stacksBin}:middle { @s[tid] = ustack(2); @n[ustack(1)] = count(); exit(); }`, '-c', `${stacksBin} 1`]);
  assert.is(r.stderr, '');
  assert.match(r.stdout, /\n@n\[\n {4}middle\+0\n\]: 1\n/);
  assert.match(r.stdout, /\n@s\[\d+\]: \n {8}middle\+0\n {8}outer\+\d+\n\n/);
});

test('uaddr is the ELF address of a symbol of the probed binary', () => {
  const r = bpfscript(['-e', `uprobe:${stacksBin}:inner { printf("%x\\n", uaddr("stacks_counter")); exit(); }`, '-c', `${stacksBin} 1`]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, `Attaching 1 probe...\n${hex('stacks_counter')}\n\n\n`);
});

test('bad stack and symbol arguments are diagnostics at the argument', () => {
  const cases: [string, string][] = [
    ['BEGIN { @ = kstack(foo); }', "stdin:1:20-23: ERROR: Unknown stack mode: 'foo'"],
    ['BEGIN { @ = ustack(perf, 2000); }', "stdin:1:13-31: ERROR: ustack([int limit]): limit shouldn't exceed 1024, 2000 given"],
    ['BEGIN { @ = kstack(perf, 1, 2); }', 'ERROR: kstack() takes at most two arguments'],
    ['BEGIN { @ = kstack(pid); }', "ERROR: Unknown stack mode: 'pid'"],
    ['BEGIN { @ = ksym("x"); }', 'ERROR: ksym() expects an integer or pointer argument'],
    ['BEGIN { @ = uaddr("x"); }', 'ERROR: uaddr can only be used with uprobe, uretprobe and usdt probes'],
    [`uprobe:${stacksBin}:inner { @ = uaddr("no_such_sym"); }`, `ERROR: Could not resolve symbol: ${stacksBin}:no_such_sym`],
    ['BEGIN { @x = kstack; @x = "abc"; }', 'ERROR: map @x assigned string[4], but it was first assigned kstack'],
  ];
  for (const [prog, msg] of cases) {
    const r = bpfscript(['-e', prog]);
    assert.is(r.status, 1, prog);
    assert.ok(r.stderr.includes(msg), `${prog}\n${r.stderr}`);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test.run();
