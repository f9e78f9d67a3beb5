// bpftrace 0.26's language semantics that its runtime tests (tests/runtime/for, call, builtin, …)
// check, under --compat 0.26. No oracle runs these (bpftrace 0.17 has none of them): expected
// outputs come from bpftrace v0.26.1's runtime tests and docs, or from a workload that makes a
// known number of syscalls.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from './child';
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

test('enums: enumerators, (enum E) casts and enum tracepoint fields print by name through %s, print() and maps', () => {
  const r = run26('enum Foo { ONE = 1, TWO = 2, OTHER = 99999 }; enum { A, B }; begin { $x = 100; @v = TWO; @k[ONE, B] = OTHER; @sum[ONE + 1] = TWO - 1; printf("%d %s|%-5s|%5s|%s|%s|%s\\n", ONE, ONE, A, B, (enum Foo)2, (enum Foo)$x, @v); print((ONE, (enum Foo)99999)); exit() }');
  quiet(r.stderr);
  assert.is(r.stdout, '1 ONE|A    |    B|TWO|100|TWO\n(ONE, OTHER)\n\n\n@k[ONE, B]: OTHER\n@sum[2]: 1\n@v: TWO\n');
  // JSON keeps numbers, but for printf's %s (bpftrace 0.26's enum_not_symbolized, enum_symbolized_printf).
  const json = run26('enum { FOO = 333 }; begin { $f = FOO; print($f); printf("%s\\n", $f); exit() }', ['-q', '-f', 'json']);
  assert.is(json.stdout.split('\n').filter((l) => !l.includes('attached_probes')).join('\n'), '{"type": "value", "data": 333}\n{"type": "printf", "data": "FOO\\n"}\n');
  // 0.17 has no enum types: %s of an enumerator is its error.
  const old = bpfscript(['-e', 'enum Foo { ONE = 1 }; BEGIN { printf("%s\\n", ONE); exit() }']);
  assert.is(old.status, 1);
  assert.match(old.stderr, 'printf: %s specifier expects a value of type string (integer supplied)');
});

test('enums: a tracepoint field declared enum prints as its enumerator (skb:kfree_skb reason)', () => {
  // UDP datagrams to a closed port on this host: the kernel frees each with a reason (NO_SOCKET).
  const send = "const s = require('dgram').createSocket('udp4'); setInterval(() => s.send('x', 9, '127.0.0.1'), 50)";
  const p = spawn(process.execPath, ['-e', send], { stdio: 'ignore' });
  const killer = setTimeout(() => p.kill('SIGKILL'), 20_000);
  try {
    const r = bpfscript(['--compat', '0.26', '-e', 'tracepoint:skb:kfree_skb { $r = args.reason; printf("%d %s\\n", args.reason, $r); exit() }'], { timeoutMs: 15_000 });
    assert.match(r.stdout, /^\d+ SKB_DROP_REASON_[A-Z_0-9]+\n/);
  } finally {
    clearTimeout(killer);
    p.kill('SIGKILL');
  }
});

test('hist(x, k): 2^k buckets per power of two, text and JSON as bpftrace 0.26 prints them', () => {
  const r = run26('begin { @ = hist(-1, 2); @ = hist(0, 2); @ = hist(7, 2); @ = hist(9, 2); @ = hist(9, 2); @ = hist(5000, 2); @z = hist(3, 0); exit() }');
  quiet(r.stderr);
  const lines = r.stdout.split('\n').filter((l) => /^[[(]/.test(l) && !/ 0 \|/.test(l));
  assert.equal(lines.map((l) => l.replace(/ +\|.*/, '').replace(/ +/g, ' ')), ['(..., 0) 1', '[0] 1', '[7] 1', '[8, 10) 2', '[4K, 5K) 1', '[2, 4) 1']);
  // bpftrace 0.26's json-output test histogram-finegrain: 0..1023 into hist($i, 3).
  const json = run26('begin { $i = 0; while ($i < 1024) { @ = hist($i, 3); $i++; } }', ['-q', '-f', 'json']);
  const data = JSON.parse(json.stdout.trim().split('\n').pop()!).data['@'] as { min: number; max: number; count: number }[];
  assert.is(data.length, 64);
  assert.equal(data.slice(15, 18), [{ min: 15, max: 15, count: 1 }, { min: 16, max: 17, count: 2 }, { min: 18, max: 19, count: 2 }]);
  assert.equal(data[63], { min: 960, max: 1023, count: 64 });
  const bad = run26('begin { @ = hist(1, 6); }');
  assert.is(bad.status, 1);
  assert.match(bad.stderr, 'hist: bits 6 must be 0..5');
});

test('0.26 forms: (bool[N]) arrays print true/false; a bare let read before its assignment is 0; stdlib refusals in 0.26 words', () => {
  const r = run26('begin { let $a; if ($a) { $a = 1; } @b = $a; @a = (bool[2])(uint16)1; print((bool[4])(uint32)0x01000100); exit() }');
  quiet(r.stderr);
  assert.is(r.stdout, '[false,true,false,true]\n\n\n@a: [true,false]\n@b: 0\n');
  const unsafe = run26('tracepoint:syscalls:sys_enter_openat { write_user(args.filename, "x", 1); }');
  assert.is(unsafe.status, 1);
  assert.match(unsafe.stderr, 'ERROR: write_user() is unsafe. To use you need the --unsafe flag');
  const len = run26('begin { @ = 0; printf("%d\\n", len(@)); }');
  assert.is(len.status, 1);
  assert.match(len.stderr, 'ERROR: call to len() expects a map with explicit keys (non-scalar map)');
});

test('struct definitions take __attribute__((packed)) and aligned(N), as clang lays them out', () => {
  const r = run26('struct foo { int x; char y; int z; } struct bar { int x; char y; int z; } __attribute__((packed)) struct baz { char a; } /**/ __attribute__ /**/ ((aligned(8))) begin { print((sizeof(struct foo), sizeof(struct bar), offsetof(struct bar, z), sizeof(struct baz))); exit() }');
  quiet(r.stderr);
  assert.is(r.stdout, '(12, 9, 5, 8)\n\n\n');
  const bad = run26('struct foo { char y; } __attribute__((aligned(3))) begin { exit() }');
  assert.is(bad.status, 1);
  assert.match(bad.stderr, 'stdin:1:47-48: ERROR: aligned() takes a power of two');
});

test('indexes computed at run time: strings, array copies (0 past the end), arrays in memory, flexible array members; (T[]) casts', () => {
  const r = run26(`struct A { int x[4]; } struct D { int n; int y[0]; }
    begin { $s = "foo"; $i = 1; $far = (uint64)10; $a = (int16[4])(int64)0x0004000300020001; $p = (struct A *)curtask; $d = (struct D *)curtask;
      printf("%c %d %d|%d %d %d|%d %d|%d\\n", $s[$i], $s[$i + 1], $s[$far], $a[$i + 2], $a[$i - 1], $a[$far], $p->x[$i + 1] == $p->x[2], $p.x[$i] == $p.x[1], $d.y[$i - 1] == $d.y[0]);
      print((int8[])"hi"); print(((uint16[])(int32)0x00050006)[$i]); exit() }`);
  quiet(r.stderr);
  assert.is(r.stdout, 'o 111 0|4 1 0|1 1|1\n[104,105,0]\n5\n\n\n');
  // 0.17 knows literal indexes only, in its own words.
  const old = bpfscript(['-e', 'struct A { int x[4]; } BEGIN { $i = 1; $p = (struct A *)curtask; printf("%d\\n", $p->x[$i]); exit() }']);
  assert.is(old.status, 1);
  assert.match(old.stderr, 'The array index operator [] only accepts literal integer indices.');
});

test('block expressions as a record\'s values run in the order written', () => {
  const r = run26('begin { $a = (foo={ printf("hello"); 1 }, bar={ printf("world"); 2 }); $a = (bar={ printf("hello"); 1 }, foo={ printf("world\\n"); 2 }); print($a); exit() }');
  quiet(r.stderr);
  assert.is(r.stdout, 'helloworldhelloworld\n{ .foo = 2, .bar = 1 }\n\n\n');
});

test.run();
