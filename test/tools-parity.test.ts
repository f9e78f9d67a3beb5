// What bpftrace 0.17's own tools/ scripts need beyond the single constructs: uprobe symbols a
// library lacks (skipped, as bpftrace skips them), aggregations copied whole ($x = @c), follow-on
// errors of a failed assignment kept quiet, kaddr() of a variable on a kernel whose kallsyms lists
// functions only.
// Every script here is our own; bpftrace 0.17 runs the same script where it can.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { bpfscript, dynamicFixture, leakedPrograms, renamedFixture, sameAsBpftrace, scratchPath } from './helpers';

const APP = () => dynamicFixture('usdt-app', '-O1');

function bpftrace(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('bpftrace', args, { encoding: 'utf8' });
  // bpftrace 0.17 warns about RLIMIT_MEMLOCK on this kernel; that line is not part of the behaviour.
  return { stdout: r.stdout, stderr: r.stderr.replace(/^.*RLIMIT_MEMLOCK.*\n/gm, ''), status: r.status };
}

test('uprobe: a symbol the binary lacks among several attach points is skipped with a warning; the others run, as in bpftrace', () => {
  const bin = APP();
  const prog = `uprobe:${bin}:work,\nuprobe:${bin}:wrok { @[probe] = count(); }`;
  const ap = `uprobe:${bin}:wrok`;
  const warning = `stdin:2:1-${ap.length + 1}: WARNING: symbol not found in ${bin}: wrok (this attach point is skipped, as bpftrace skips it)\n${ap} { @[probe] = count(); }\n${'~'.repeat(ap.length)}\nHINT: did you mean: work?\n`;
  // It compiles (bpftrace resolves symbols only when attaching, so its --emit-elf succeeds too).
  const out = scratchPath('tools-parity.o');
  rmSync(out, { force: true });
  const e = bpfscript(['--emit-elf', out, '-e', prog]);
  assert.is(e.stderr, warning);
  assert.is(e.status, 0);
  assert.is(readFileSync(out).subarray(0, 4).toString('latin1'), '\x7fELF');
  assert.is(bpftrace(['--emit-elf', out, '-e', prog]).status, 0);
  const r = bpfscript(['-e', prog, '-c', `${bin} 3`]);
  assert.is(r.stderr, warning);
  assert.is(r.status, 0);
  assert.is(r.stdout, `Attaching 1 probe...\n\n\n@[uprobe:${bin}:work]: 3\n`);
  assert.is(r.stdout, bpftrace(['-e', prog, '-c', `${bin} 3`]).stdout);
  assert.equal(leakedPrograms(), []);
});

test('uprobe: when every attach point is unresolved nothing is left to attach: an error, as in bpftrace', () => {
  const bin = APP();
  const prog = `uretprobe:${bin}:wrok { @ = count(); }`;
  const r = bpfscript(['-e', prog]);
  const ap = `uretprobe:${bin}:wrok`;
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.is(r.stderr, `stdin:1:1-${ap.length + 1}: ERROR: symbol not found in ${bin}: wrok\n${prog}\n${'~'.repeat(ap.length)}\nHINT: did you mean: work?\n`);
  const theirs = bpftrace(['-e', prog]);
  assert.is(theirs.status, 1);
  assert.match(theirs.stdout, 'No probes to attach');
});

test('a failed assignment reports once: later uses of the variable say nothing more', () => {
  const prog = [
    'tracepoint:syscalls:sys_enter_getppid {',
    '  $t = (struct task_struct *)curtask;',
    '  $len = $t->no_such_member_zz;',
    '  $len = $len > 0 ? $len - 1 : 0;',
    '  @q = lhist($len, 0, 100, 1);',
    '  printf("%d %d\\n", $len, $len + 1);',
    '  $other = $nope;',
    '}',
  ].join('\n');
  const r = bpfscript(['--emit-elf', '/dev/null', '-e', prog]);
  assert.is(r.status, 1);
  const errors = r.stderr.split('\n').filter((l) => l.includes('ERROR'));
  // The unknown member, and the unrelated undefined $nope: nothing about $len's uses.
  assert.equal(errors.map((l) => l.replace(/^stdin:\d+:\d+-\d+: /, '')), [
    "ERROR: struct task_struct has no member named 'no_such_member_zz'",
    'ERROR: Undefined or undeclared variable: $nope',
  ]);
});

test('a failed operand silences the operators above it, not its sibling statements', () => {
  const r = bpfscript(['--emit-elf', '/dev/null', '-e', 'BEGIN { $x = (nosuchfn_zz() + 1) * 2 > 3; $y = "a" + 1; }']);
  assert.is(r.status, 1);
  const errors = r.stderr.split('\n').filter((l) => l.includes('ERROR'));
  assert.is(errors.length, 2);
  assert.match(errors[0], 'Unknown function: nosuchfn_zz');
  assert.match(errors[1], 'operator + needs integer operands');
});

const kallsymsAll = /^[0-9a-f]+ [dDbB] [a-z]/m.test(readFileSync('/proc/kallsyms', 'utf8'));

test('kaddr() of a variable where /proc/kallsyms lists functions only: one error that says why', () => {
  if (kallsymsAll) return; // this kernel lists variables: nothing to explain
  const prog = 'BEGIN { $a = kaddr("avenrun"); printf("%d\\n", *$a); exit(); }';
  const r = bpfscript(['-e', prog]);
  assert.is(r.status, 1);
  const col = prog.indexOf('"avenrun"') + 1;
  assert.is(
    r.stderr,
    `stdin:1:${col}-${col + 9}: ERROR: Failed to resolve kernel symbol: avenrun\n${prog}\n${' '.repeat(col - 1)}~~~~~~~~~\n` +
      "HINT: this kernel's /proc/kallsyms lists only functions (it was built without CONFIG_KALLSYMS_ALL): if avenrun is a variable, its address is unknown here, and the kernel's BTF records only per-CPU variables\n",
  );
  // bpftrace 0.17 fails the same way (at code generation).
  const theirs = bpftrace(['-e', prog]);
  assert.is(theirs.status, 1);
  assert.match(theirs.stderr, 'Failed to resolve kernel symbol: avenrun');
});

test('aggregations copied whole ($x = @c, @y = @c, in tuples, keyed): what bpftrace 0.17 prints', () => {
  // BEGIN runs on one CPU, where 0.17's copy of that CPU's slot and the all-CPU value agree.
  sameAsBpftrace(
    'BEGIN { @c = count(); @c = count(); @s = sum(5); @s = sum(-7); @mn = min(5); @mn = min(7); @mx = max(5); @mx = max(7); @k[1, "a"] = count(); ' +
      '$x = @c; print($x); $t = (@s, @k[1, "a"]); print($t); @y = @c; @z[2] = @k[1, "a"]; @ymn = @mn; @ymx = @mx; @none = @k[2, "b"]; exit(); }',
  );
});

test('an aggregation read in a probe is its value over every CPU, usable in expressions (newer bpftrace)', () => {
  // The same workload pinned to CPU 0 (3 calls), then CPU 1 (5 calls): each CPU holds part of it.
  const { path: w, comm } = renamedFixture('syscalls');
  const prog =
    `tracepoint:syscalls:sys_enter_getppid /comm == "${comm}"/ { @c = count(); @s = sum(cpu + 1); @mn = min(cpu + 10); @mx = max(cpu + 10); @a = avg(cpu * 10); @n[cpu] = count(); }` +
    ' END { printf("%d %d %d %d %d %d\\n", @c, @s, @mn, @mx, @a, @n[0] * 100 + @n[1]); if (@c > 7) { printf("over 7\\n"); } }';
  // -c takes no shell quoting: the pinned runs go in a script.
  writeFileSync(`${w}.sh`, `#!/bin/sh\ntaskset -c 0 ${w} 3\ntaskset -c 1 ${w} 5\n`, { mode: 0o755 });
  const r = bpfscript(['-e', prog, '-c', `${w}.sh`]);
  assert.is(r.stderr, '');
  // avg: (0 * 3 + 10 * 5) / 8, truncated as printing it does.
  assert.is(r.stdout, 'Attaching 2 probes...\n8 13 10 11 6 305\nover 7\n\n\n@a: 6\n\n@c: 8\n@mn: 10\n@mx: 11\n@n[0]: 3\n@n[1]: 5\n@s: 13\n');
});

test('hist, lhist and stats maps are not one number: reading one is refused (as newer bpftrace refuses it)', () => {
  for (const [agg, call] of [['hist', 'hist(5)'], ['lhist', 'lhist(5, 0, 10, 1)'], ['stats', 'stats(5)']]) {
    const prog = `BEGIN { @h = ${call}; $x = @h; }`;
    const r = bpfscript(['-e', prog]);
    assert.is(r.status, 1);
    assert.is(
      r.stderr,
      `stdin:1:${prog.indexOf('$x') + 6}-${prog.indexOf('$x') + 8}: ERROR: the value of @h (a ${agg}() map) cannot be read in a probe: it is not one number\n${prog}\n${' '.repeat(prog.indexOf('$x') + 5)}~~\nHINT: print(@h) shows it; count, sum, min, max and avg maps can be read\n`,
    );
  }
});

test('threadsnoop-style: a probe whose only symbol is missing is dropped, BEGIN still runs, output as bpftrace', () => {
  const bin = APP();
  const prog = `BEGIN { printf("%-10s\\n", "HEADER"); } uprobe:${bin}:no_such_fn_zz { @[probe] = count(); }`;
  const r = bpfscript(['-e', prog, '-c', `${bin} 2`]);
  assert.is(r.status, 0);
  assert.match(r.stderr, `WARNING: symbol not found in ${bin}: no_such_fn_zz (this attach point is skipped, as bpftrace skips it)`);
  assert.is(r.stdout, bpftrace(['-e', prog, '-c', `${bin} 2`]).stdout);
  // The dropped probe's map is still declared: empty, it prints an empty line, as in bpftrace.
  assert.is(r.stdout, 'Attaching 1 probe...\nHEADER    \n\n\n\n');
});

test.run();
