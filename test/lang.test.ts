// The language's statements and expressions in the kernel: loops, jumps, casts, tuples, ++/--,
// positional parameters, sizeof. Each program's output is compared with bpftrace 0.17's.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { bpfscript, leakedPrograms, sameAsBpftrace } from './helpers';


/** For programs bpftrace 0.17 cannot run (it fails to compile them). */
function ours(prog: string, extra: string[] = []): string {
  const r = bpfscript(['-e', prog, ...extra]);
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  return r.stdout;
}

test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

test('while with break and continue', () => {
  const out = sameAsBpftrace('BEGIN { $i = 0; while ($i < 6) { $i++; if ($i == 2) { continue; } if ($i == 5) { break; } printf("i=%d\\n", $i); } printf("end %d\\n", $i); exit(); }');
  assert.is(out, 'Attaching 1 probe...\ni=1\ni=3\ni=4\nend 5\n\n\n');
});

test('nested while loops sum a triangle (bpftrace 0.17 fails: __multi3)', () => {
  const out = ours('BEGIN { $s = 0; $i = 0; while ($i < 10) { $j = 0; while ($j < $i) { $s += $j; $j++; } $i++; } printf("%d\\n", $s); exit(); }');
  assert.is(out, 'Attaching 1 probe...\n120\n\n\n');
});

test('unroll repeats its block', () => {
  const out = sameAsBpftrace('BEGIN { $i = 1; unroll(5) { $i = $i * 2; } printf("%d\\n", $i); exit(); }');
  assert.is(out, 'Attaching 1 probe...\n32\n\n\n');
});

test('return leaves the probe', () => {
  const out = sameAsBpftrace('BEGIN { printf("a\\n"); if (1) { return; } printf("b\\n"); } END { printf("end\\n"); } interval:ms:1 { exit(); }');
  assert.is(out, 'Attaching 3 probes...\na\nend\n\n\n');
});

test('++ and -- on variables and maps, before and after', () => {
  const out = sameAsBpftrace('BEGIN { $x = 5; $a = $x++; $b = ++$x; $c = $x--; $d = --$x; printf("%d %d %d %d %d\\n", $a, $b, $c, $d, $x); @c++; @c++; @d--; @k["a"]++; @k["a"]++; @k["b"]--; exit(); }');
  assert.is(out, 'Attaching 1 probe...\n5 7 7 5 5\n\n\n@c: 2\n@d: -1\n@k[b]: -1\n@k[a]: 2\n');
});

test('integer casts truncate and extend', () => {
  const out = sameAsBpftrace('BEGIN { printf("%d %d %d %d %d\\n", (uint8)300, (int8)200, (int16)65535, (uint16)-1, (int32)4294967295); exit(); }');
  assert.is(out, 'Attaching 1 probe...\n44 -56 -1 65535 -1\n\n\n');
});

test('tuples as values: variables, element access, map values', () => {
  const out = sameAsBpftrace('BEGIN { $t = (1, "ab", (int8)-1); printf("%d %s %d\\n", $t.0, $t.1, $t.2); @t = $t; @u = (1, 2); @n = (3, (4, "x")); exit(); }');
  assert.is(out, 'Attaching 1 probe...\n1 ab -1\n\n\n@n: (3, (4, x))\n@t: (1, ab, -1)\n@u: (1, 2)\n');
});

test('positional parameters: numbers, strings, $#, missing ones', () => {
  const prog = 'BEGIN { printf("%d %s %d|%s| %d\\n", $1 + 1, str($2), $#, str($3), $4); exit(); }';
  const out = sameAsBpftrace(prog, ['41', 'abc']);
  assert.is(out, 'Attaching 1 probe...\n42 abc 2|| 0\n\n\n');
  sameAsBpftrace('BEGIN { printf("%d %d\\n", $1, $2); exit(); }', ['0x10', '010']);
});

test('positional parameters as literals: in attach points, str() of a number, str($1 + N), literal-only arguments', () => {
  assert.is(sameAsBpftrace('i:ms:$1 { printf("hello world\\n"); exit(); }', ['1']), 'Attaching 1 probe...\nhello world\n\n\n');
  sameAsBpftrace('BEG$1 { printf("hello world\\n"); exit(); }', ['IN']);
  const out = sameAsBpftrace('BEGIN { printf("-%s-%s-%s-\\n", str($1), str($2 + 1), str($2, 2)); if (strncmp("hello", "hell", $1) == 0) { printf("ok\\n"); } @ = buf("hello", $1); exit(); }', ['3', 'hello']);
  assert.is(out, 'Attaching 1 probe...\n-3-ello-he-\nok\n\n\n@: hel\n');
  // A kernel symbol named by an argument: kaddr() takes it as the literal it needs.
  const r = bpfscript(['--emit-elf', '/dev/null', '-e', 'BEGIN { @ = kaddr(str($1)); exit() }', 'vfs_read']);
  assert.is(r.status, 0, r.stderr);
});

test('sizeof types and expressions', () => {
  const out = sameAsBpftrace('BEGIN { printf("%d %d %d %d %d %d\\n", sizeof(uint8), sizeof(int32), sizeof(uint64), sizeof(comm), sizeof(pid), sizeof((uint16)1)); exit(); }');
  assert.is(out, 'Attaching 1 probe...\n1 4 8 16 8 2\n\n\n');
});

test('comparisons follow C conversions: u64 against a negative literal is unsigned', () => {
  const out = sameAsBpftrace('BEGIN { printf("%d %d %d %d\\n", nsecs > -1, (uint64)5 > -1, 5 > -1, -3 < 2); exit(); }');
  assert.is(out, 'Attaching 1 probe...\n0 0 1 1\n\n\n');
});

test('a probe with more string data than the 512-byte stack runs from scratch memory', () => {
  const assigns = Array.from({ length: 41 }, (_, i) => `@cap[${i}] = "CAP_NUMBER_${i}_WITH_A_LONGER_NAME";`).join(' ');
  const out = sameAsBpftrace(`BEGIN { ${assigns} printf("%s %s\\n", @cap[3], @cap[40]); exit(); }`);
  assert.ok(out.startsWith('Attaching 1 probe...\nCAP_NUMBER_3_WITH_A_LONGER_NAME CAP_NUMBER_40_WITH_A_LONGER_NAME\n\n\n'));
  assert.ok(out.includes('@cap[40]: CAP_NUMBER_40_WITH_A_LONGER_NAME\n'));
});

test('errors: break outside a loop, bad unroll count, bad tuple index', () => {
  for (const [prog, msg] of [
    ['BEGIN { break; }', 'break is only valid inside a while loop'],
    ['BEGIN { unroll(0) { } }', 'unroll minimum value is 1'],
    ['BEGIN { unroll(101) { } }', 'unroll maximum value is 100'],
    ['BEGIN { $t = (1, 2); printf("%d\\n", $t.2); }', 'tuple index 2 is out of range: the tuple has 2 elements'],
    ['BEGIN { $x = (uint8)"a"; }', 'cannot cast string[2] to uint8'],
  ]) {
    const r = bpfscript(['-e', prog]);
    assert.is(r.status, 1, prog);
    assert.ok(r.stderr.includes(`ERROR: ${msg}`), r.stderr);
    assert.not.match(r.stderr, /at .*\.js/);
  }
});

test('a map read before the map it comes from is assigned types both as bpftrace', () => {
  const out = sameAsBpftrace('BEGIN { $c = @calls; @calls++; @n[1, $c] = 1; @m = $c; exit(); }');
  assert.match(out, '@n[1, 0]: 1');
});

test('sizeof a kernel char array is its length, as bpftrace', () => {
  assert.is(sameAsBpftrace('BEGIN { printf("%d %d\\n", sizeof(curtask->comm), sizeof(curtask->cpus_mask)); exit(); }'), 'Attaching 1 probe...\n16 32\n\n\n');
});

test('tuples pack like bpftrace 0.17: integers at their own width, arrays aligned as their elements, struct copies unaligned', () => {
  const out = sameAsBpftrace(
    'BEGIN { $t = ((int8)-100, (int8)100, "abcdef", 3, (int32)1, (int64)-10, (int8)10, (int16)-555, "abc"); print($t); @t = $t; printf("%d %d %d\\n", sizeof($t), $t.0, $t.7); ' +
      '$a = ((int8)1, curtask->se.load); $b = ((int8)1, curtask->se.load, (int8)2); $c = ((int8)1, (int16)2, (int32)3); $d = ((int32)1, (int16)2, (int8)3); $e = ((int8)1, (int64)2, (int8)1, (int64)1); ' +
      'print((sizeof($a), sizeof($b), sizeof($c), sizeof($d), sizeof($e))); @b = $b; exit(); }',
  );
  assert.match(out, 'Attaching 1 probe...\n(-100, 100, abcdef, 3, 1, -10, 10, -555, abc)\n48 -100 -555\n(17, 18, 8, 8, 32)\n');
  sameAsBpftrace('BEGIN { $t = ((int8)-100, (int16)-555, "abc", ((int8)1, (int32)-2)); print($t); @t = $t; exit(); }', ['-f', 'json']);
});

test.run();
