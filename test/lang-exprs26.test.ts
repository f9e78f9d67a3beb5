// Expressions and types of today's bpftrace (0.24 … 0.26): `.` through pointers, bool, duration
// literals, tuples indexed with [N], records, string indexing, `&`. Each program runs in the kernel
// and its output is checked against what bpftrace's v0.26.1 runtime tests and docs expect; under
// the 0.17 dialect the constructs 0.17 gave another meaning keep it.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bpfscript, buildFixture, leakedPrograms } from './helpers';

test.after(() => {
  assert.equal(leakedPrograms(), []);
});

/** The lines a program prints (empty lines and the attach banner dropped), after a clean run. */
function lines(prog: string, dialect: '0.17' | '0.26' = '0.26', extra: string[] = []): string[] {
  const r = bpfscript(['--compat', dialect, ...extra, '-e', prog], { timeoutMs: 30_000 });
  assert.is(r.stderr.replace(/^Attach(ing|ed) \d+ probes?\.*\n/m, ''), '', `stderr of ${prog}`);
  assert.is(r.status, 0, `status of ${prog}`);
  return r.stdout.split('\n').filter((l) => l !== '' && !/^Attach(ing|ed) \d+ probes?/.test(l));
}

/** The error a program is refused with. */
function refused(prog: string, dialect: '0.17' | '0.26' = '0.26'): string {
  const r = bpfscript(['--compat', dialect, '-e', prog], { timeoutMs: 30_000 });
  assert.is(r.status, 1, `${prog} is refused`);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  return r.stderr;
}

test('`.` reaches members through pointers (bpftrace 0.25+), `->` through struct values; both dialects', () => {
  // BEGIN runs in bpfscript's own process, whose parent is this test.
  const prog = 'BEGIN { printf("%d %d %d\\n", curtask.real_parent.tgid, curtask.pid == pid, curtask.real_parent.real_parent.tgid == curtask->real_parent->real_parent->tgid); $t = curtask; printf("%d %d\\n", $t.se.on_rq == curtask->se.on_rq, $t->se->on_rq == $t.se.on_rq); exit(); }';
  for (const d of ['0.17', '0.26'] as const) assert.equal(lines(prog, d), [`${process.pid} 1 1`, '1 1'], d);
});

test('`.` on a uprobe\'s args and on pointers to DWARF structs', () => {
  const w = buildFixture('dwarf-args', 'dwarf-args', ['-g', '-O0']);
  const prog = `uprobe:${w}:records { print(args.r.id); print(args.r.next.name); print(args.r.in.weight); print(args->r.in->tag); exit(); }`;
  assert.equal(lines(prog, '0.26', ['-c', `${w} 1`]), ['1', 'second', '1234567890123', '-5']);
  // Through a pointer to a pointer: each pointer is read on the way (bpftrace 0.25+).
  const pp = `uprobe:${w}:records { print(args.pp.id); print(args.pp.next.name); $p = args.pp; print($p.in.weight); exit(); }`;
  assert.equal(lines(pp, '0.26', ['-c', `${w} 1`]), ['1', 'second', '1234567890123']);
});

test('`.` through a pointer to a pointer in kernel memory', () => {
  assert.equal(lines('BEGIN { $t = curtask; $pp = (struct task_struct **)&$t; print(($pp.pid == pid, $pp.real_parent.tgid)); exit(); }'), [`(true, ${process.pid})`]);
});

test('bool: literals, variables, map keys and values, tuples, casts, `!`, comparisons and && || (0.26)', () => {
  assert.equal(lines('BEGIN { print((true, false)); exit(); }'), ['(true, false)']);
  assert.equal(lines('BEGIN { if (true) { print(1); } if (false) { print(2); } exit(); }'), ['1']);
  assert.equal(lines('BEGIN { @a[true] = false; exit(); }'), ['@a[true]: false']);
  assert.equal(lines('BEGIN { $b = true; $c = false; print(($b, $c)); exit(); }'), ['(true, false)']);
  assert.equal(lines('BEGIN { print(((bool)1, (bool)0)); print(((bool)"hello", (bool)"")); $a = (int64*)0; $b = (int64*)1; print(((bool)$b, (bool)$a)); exit(); }'), ['(true, false)', '(true, false)', '(true, false)']);
  assert.is(lines('BEGIN { @a = count(); @b = sum(0); print(((bool)@a, (bool)@b)); exit(); }')[0], '(true, false)');
  assert.equal(lines('BEGIN { print(((int64)true, (int64)false)); $x = 0; print((!0, !10, !$x)); exit(); }'), ['(1, 0)', '(true, false, true)']);
  assert.equal(lines('BEGIN { @a[false, 1, true] = 1; @a[true, (int32)2, false] = 2; exit(); }'), ['@a[false, 1, true]: 1', '@a[true, 2, false]: 2']);
  assert.equal(lines('BEGIN { $a = 100000; $b = 0; $c = $a > $b; $d = $a && $b; $e = $c || $d; $f = (uint64)$c; print(($c, $d, $e, $f)); exit(); }'), ['(true, false, true, 1)']);
  // %d prints 1 and 0, %s true and false; a bool-valued map counts; ternaries of bools.
  assert.equal(
    lines('BEGIN { printf("%d %d %s %s|\\n", true, 1 < 2, false, "a" == "b"); @y[pid > 0] = count(); $v = pid ? true : false; print($v); print(sizeof(true)); exit(); }'),
    ['1 1 false false|', 'true', '1', '@y[true]: 1'],
  );
});

test('bool in the kernel: a comparison per event decides a map key', () => {
  const r = lines('tracepoint:syscalls:sys_exit_openat /pid == cpid/ { @ok[args.ret >= 0] = count(); @last = args.ret >= 0; }', '0.26', ['-c', '/bin/cat /etc/hostname']);
  const ok = r.filter((l) => l.startsWith('@ok['));
  assert.ok(ok.length >= 1 && /^@ok\[true\]: [1-9]\d*$/.test(ok[ok.length - 1]), r.join('\n'));
  assert.ok(r.includes('@last: true'), r.join('\n'));
});

test('bool under 0.17: true and false are the integers 1 and 0, comparisons integers', () => {
  assert.equal(lines('BEGIN { $x = true; print($x); print(false); @m[true] = false; @c = 1 < 2; print(!5); exit(); }', '0.17'), ['1', '0', '0', '@c: 1', '@m[1]: 0']);
});

test('bool refusals', () => {
  assert.match(refused('BEGIN { print(-true); exit(); }'), "ERROR: The - operator can not be used on expressions of type 'bool'");
  assert.match(refused('BEGIN { print(~(1 < 2)); exit(); }'), "ERROR: The ~ operator can not be used on expressions of type 'bool'");
  assert.match(refused('BEGIN { print((bool)kstack); exit(); }'), 'ERROR: cannot cast');
});

test('strcontains() is a bool under 0.26, an integer under 0.17', () => {
  assert.equal(lines('BEGIN { print(strcontains("hello-test-world", "test")); @[strcontains("ab", "x")] = count(); exit(); }'), ['true', '@[false]: 1']);
  assert.equal(lines('BEGIN { print(strcontains("hello-test-world", "test")); exit(); }', '0.17'), ['1']);
});

test('duration literals are integer nanoseconds (bpftrace 0.24+), in both dialects', () => {
  const prog = 'BEGIN { print((1m, 5ms, 100us, 2ns, 1h, 1d, 3s, 1_000ms)); @[nsecs > 1s] = count(); exit(); }';
  for (const d of ['0.17', '0.26'] as const) {
    const out = lines(prog, d);
    assert.is(out[0], '(60000000000, 5000000, 100000, 2, 3600000000000, 86400000000000, 3000000000, 1000000000)', d);
  }
});

test('tuples: [N] with a folded constant index, (x,) and (), tuples as map keys, == and !=', () => {
  assert.equal(lines('BEGIN { $a = (1, 2, 3); print($a[1 + 1]); print($a[0]); $t = (1, "x", (true, 5)); print($t[2][1]); print($t[1]); print($t[2].0); exit(); }'), ['3', '1', '5', 'x', 'true']);
  assert.equal(lines('BEGIN { print((1,)); print(()); $s = ("one",); print($s.0); exit(); }'), ['(1)', '()', 'one']);
  assert.equal(
    lines('BEGIN { @[(1, "hello")] = 1; @y[(1, 2)] = (3, 4); $a = (1, "hello"); @z[(1, "hello")] = 1; @z[$a] = 2; exit(); }'),
    ['@[1, hello]: 1', '@y[1, 2]: (3, 4)', '@z[1, hello]: 2'],
  );
  assert.equal(
    lines('BEGIN { $x = ("hello", -6); $y = ("hello", -6); $a = (1, true, $x); @b = (1, true, $y); if ($a == @b) { printf("ok\\n"); } if ($a == (1, true, ("ello", -6))) { printf("nok\\n"); } if ($a != (1, true, ("ello", -6))) { printf("ok2\\n"); } delete(@b); exit(); }'),
    ['ok', 'ok2'],
  );
  assert.match(refused('BEGIN { $a = (1, 2); print($a[2]); exit(); }'), 'ERROR: Invalid tuple index: 2. Found 2 elements in tuple.');
  assert.match(refused('BEGIN { $a = (1, 2); $i = 1; print($a[$i]); exit(); }'), 'ERROR: a tuple index must be known when compiling');
});

test('records: literals, .name, nesting, printing as text, map keys and values, JSON, stored by name', () => {
  assert.equal(lines('BEGIN { $v = 99; $t = (a=0, b=1, c="str", d=(5, 6), e=$v); printf("%d %d %s %d %d %d\\n", $t.a, $t.b, $t.c, $t.d.0, $t.d.1, $t.e); exit(); }'), ['0 1 str 5 6 99']);
  assert.equal(lines('BEGIN { $v = (x=1, y=2); $t = (a=0, b=1, c="str", d=(5, 6), e=$v); print($t); exit(); }'), ['{ .a = 0, .b = 1, .c = str, .d = (5, 6), .e = { .x = 1, .y = 2 } }']);
  // Assigned again with the names in another order: the first order stays, values go by name.
  assert.equal(lines('BEGIN { $a = (color="green", size=2); print($a); print($a.size); $a = (size=10, color="blue"); print($a.color); print($a); exit(); }'), ['{ .color = green, .size = 2 }', '2', 'blue', '{ .color = blue, .size = 10 }']);
  assert.equal(
    lines('BEGIN { $a = (color="green", size=pid > 0); @[$a] = (m=1, n=(2, 3)); @d[(x=1, y="a"), 5] = 3; print((a=1, b="x") == (b="x", a=1)); exit(); }'),
    ['true', '@[{ .color = green, .size = true }]: { .m = 1, .n = (2, 3) }', '@d[{ .x = 1, .y = a }, 5]: 3'],
  );
  const r = bpfscript(['--compat', '0.26', '-f', 'json', '-e', 'BEGIN { $v = (x=1, y=2); @a = (a=0, b=1, c="str", d=(5, 6), e=$v); exit(); }'], { timeoutMs: 30_000 });
  assert.ok(r.stdout.includes('{"type": "map", "data": {"@a": {"a": 0, "b": 1, "c": "str", "d": [5,6], "e": {"x": 1, "y": 2}}}}'), r.stdout);
  assert.match(refused('BEGIN { $r = (a=1, b=2); print($r.c); exit(); }'), "ERROR: the record has no element named 'c'");
  assert.match(refused('BEGIN { $r = (a=1, a=2); exit(); }'), "ERROR: the record has two elements named 'a'");
  assert.match(refused('BEGIN { $r = (a=1, 2); exit(); }'), 'ERROR: every element of a record needs a name');
  assert.match(refused('BEGIN { $r = (a=1, b=2); $r = (a=1, c=2); exit(); }'), 'ERROR: $r was assigned');
});

test('string indexing (bpftrace 0.25+): a byte of a string as an int8, bounds checked', () => {
  assert.equal(lines('BEGIN { $s = "hello"; printf("%c %d %c\\n", $s[0], $s[1 + 3], comm[0]); print($s[5]); exit(); }'), ['h 111 n', '0']);
  assert.match(refused('BEGIN { $s = "hello"; print($s[6]); exit(); }'), 'ERROR: the index 6 is out of bounds for array of size 6');
});

test('& of a variable (bpftrace 0.26): a pointer to its slot, read back with *, cast, stepped', () => {
  assert.equal(lines('BEGIN { $a = (1, "hello", 2); print(*(&$a)); exit(); }'), ['(1, hello, 2)']);
  assert.equal(lines('BEGIN { $a = "hello"; $b = (int8 *)&$a; printf("%c %c\\n", *$b, *++$b); exit(); }'), ['h e']);
  assert.equal(lines('BEGIN { $a = username; $b = &$a; printf("SUCCESS %s\\n", *$b); $t = true; print(*&$t); exit(); }'), ['SUCCESS root', 'true']);
  assert.match(refused('BEGIN { @a = 1; $b = &@a; exit(); }'), 'ERROR: address-of operator (&) can only be used on a variable');
});

test('typed addresses print in hex as values under 0.26 (0.17: signed numbers); keys in hex in both', () => {
  const prog = 'BEGIN { @ = (int32*)0x32; @ += 1; @k[(int8*)16] = (int16*)32; @d = (int64*)0x32; @d--; exit(); }';
  assert.equal(lines(prog), ['@: 0x36', '@d: 0x2a', '@k[0x10]: 0x20']);
  assert.equal(lines(prog, '0.17'), ['@: 54', '@d: 42', '@k[0x10]: 32']);
  const [pair] = lines('BEGIN { $a = 1; $b = &$a; print(($b, *$b)); exit(); }');
  assert.match(pair, /^\(0x[0-9a-f]+, 1\)$/);
});

test('array casts (bpftrace 0.20+): an integer as an array of integers and back, sizes equal', () => {
  for (const d of ['0.17', '0.26'] as const) {
    assert.equal(
      lines('BEGIN { $a = (int8[8])12345; printf("%x %x\\n", $a[0], $a[1]); printf("%d\\n", (uint64)$a); $c = (int16[4])-2; print($c); printf("%x\\n", (uint32)pton("127.0.0.1")); @b = (uint8[2])(uint16)258; exit(); }', d),
      ['39 30', '12345', '[-2,-1,-1,-1]', '100007f', '@b: [2,1]'],
      d,
    );
  }
  assert.match(refused('BEGIN { $a = (int8[4])12345; exit(); }'), 'ERROR: cannot cast int64 (8 bytes) to int8[4] (4 bytes): the sizes must match');
});

test('block expressions { stmts; value } (0.24+): their variables end with the block, nested, in conditions, as a map aggregation; _ = expr discards', () => {
  const prog = 'begin { let $a = { let $b = 1; $b }; print($a); let $b = 5; print($b); print({ $x = 1; print("bob"); $x > 1 }); if ({ let $c = true; $c }) { print("yes"); } $x2 = { $y = { $z = 10; $z + 5 }; $y * 2 }; print($x2); @ = { let $d = 100; avg($d) }; _ = { print(7); 1 }; exit(); }';
  const r = bpfscript(['--compat', '0.26', '-e', prog]);
  assert.is(r.stderr, 'Attached 1 probe\n');
  assert.is(r.stdout, '1\n5\nbob\nfalse\nyes\n30\n7\n\n\n@: 100\n');
  const bad = bpfscript(['-e', 'BEGIN { _ += 1; }']);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, 'ERROR: only a map or a variable can be assigned to');
});

test.run();
