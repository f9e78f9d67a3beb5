// bpftrace 0.26's language semantics that its runtime tests (tests/runtime/for, call, builtin, …)
// check, under --compat 0.26. No oracle runs these (bpftrace 0.17 has none of them): expected
// outputs come from bpftrace v0.26.1's runtime tests and docs, or from a workload that makes a
// known number of syscalls.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { bpfscript, leakedPrograms, renamedFixture } from './helpers';

test.after(() => {
  assert.equal(leakedPrograms(), []);
});

const run26 = (prog: string, more: string[] = []) => bpfscript(['--compat', '0.26', ...more, '-e', prog]);
/** What the script printed before the blank lines of the exit and the maps printed then. */
const printed = (stdout: string) => `${stdout.split('\n\n')[0]}\n`;
/** Under 0.26 the attach line is on stderr: nothing else may be. */
const quiet = (stderr: string) => assert.match(stderr, /^Attached \d+ probes?\n$/);

test('for over a map: the body reads and updates the probe variables (ints, strings, several)', () => {
  const upd = run26('begin { @map[0] = 0; @map[1] = 1; $var = 123; for ($kv : @map) { print($var); $var *= 2; } print($var); clear(@map); }');
  quiet(upd.stderr);
  assert.is(printed(upd.stdout), '123\n246\n492\n');
  const str = run26('begin { @map[0] = 0; @map[1] = 1; $var = "abc"; $n = 7; for ($kv : @map) { print(($var, $n)); $var = "def"; } print($var); clear(@map); }');
  assert.is(printed(str.stdout), '(abc, 7)\n(def, 7)\ndef\n');
  // A variable the probe and two nested loops share, and has_key's bool in the body.
  const nested = run26('begin { @a[1] = 1; @a[2] = 2; @b[10] = 1; $s = 0; for ($x : @a) { for ($y : @b) { $s += $x.0 * $y.0; } } print(($s, has_key(@a, $s / 30))); clear(@a); clear(@b); }');
  assert.is(printed(nested.stdout), '(30, true)\n');
});

test('for over a map of count() or sum(): the value is the sum over every CPU', () => {
  const { path, comm } = renamedFixture('syscalls');
  // The same map updated on CPU 0 and on CPU 1: each per-CPU slot holds part of the count.
  const prog = `tracepoint:syscalls:sys_enter_getppid /comm == "${comm}"/ { @c[comm, 1] = count(); @s[1] = sum(2); }
    end { for ($kv : @c) { printf("%d %d\\n", $kv.0.1, $kv.1); } for ($kv : @s) { printf("%d\\n", $kv.1); } clear(@c); clear(@s); }`;
  writeFileSync(`${path}.sh`, `#!/bin/sh\ntaskset -c 0 ${path} 300\ntaskset -c 1 ${path} 200\n`, { mode: 0o755 });
  const r = run26(prog, ['-c', `${path}.sh`]);
  quiet(r.stderr);
  assert.is(printed(r.stdout), '1 500\n1000\n');
});

test('return inside a for loop ends the probe, from a map loop and from nested range loops', () => {
  const map = run26('begin { @map["foo"] = 1; @map["bar"] = 2; for ($i : @map) { if ($i.0 == "bar") { print($i.0); return; } } print("end"); } end { clear(@map); }');
  quiet(map.stderr);
  assert.is(printed(map.stdout), 'bar\n');
  const range = run26('begin { for ($i : 1..4) { for ($j : 1..$i) { print($j); if ($j == 2) { return; } } } print("end"); }');
  assert.is(printed(range.stdout), '1\n1\n2\n');
  // exit() in a loop's body stops the probe too: nothing after the loop runs.
  const ex = run26('begin { for ($i : 0..3) { print($i); exit(); } print("after"); }');
  assert.is(printed(ex.stdout), '0\n');
});

test.run();
