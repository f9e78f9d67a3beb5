// Functions and builtins in the kernel: str() from user memory with default, literal and dynamic
// lengths and BPFTRACE_STRLEN, str() as a map key, strncmp, func, elapsed, rand, cgroup, curtask.
// Compared with bpftrace 0.17 where it prints the same thing.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { readFileSync } from 'node:fs';
import { bpfscript, fixture, leakedPrograms, sameAsBpftrace } from './helpers';


const LONG = '/tmp/bpfscript-str-test-a-path-that-is-rather-longer-than-sixty-four-bytes-in-total.txt';

test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

test('str() of a syscall pointer: default 64, literal length, map keys', () => {
  const w = fixture('openpaths');
  const out = sameAsBpftrace(
    'tracepoint:syscalls:sys_enter_openat /pid == cpid/ { printf("[%s] [%s]\\n", str(args->filename), str(args->filename, 5)); @[str(args->filename, 12)] = count(); }',
    ['-c', `${w} 1 ${LONG} ${LONG} /tmp/b`],
  );
  const cut = LONG.slice(0, 63);
  assert.is(out, `Attaching 1 probe...\n[${cut}] [/tmp/]\n[${cut}] [/tmp/]\n[/tmp/b] [/tmp/]\n\n\n@[/tmp/b]: 1\n@[/tmp/bpfscri]: 2\n`);
});

test('str() honours BPFTRACE_STRLEN', () => {
  const w = fixture('openpaths');
  const out = sameAsBpftrace('tracepoint:syscalls:sys_enter_openat /pid == cpid/ { printf("[%s]\\n", str(args->filename)); }', ['-c', `${w} 1 ${LONG}`], { BPFTRACE_STRLEN: '8' });
  assert.is(out, 'Attaching 1 probe...\n[/tmp/bp]\n\n\n');
});

test('str() with a length computed at run time', () => {
  const w = fixture('openpaths');
  const r = bpfscript(['-e', 'tracepoint:syscalls:sys_enter_openat /pid == cpid/ { $n = 3; printf("[%s] [%s]\\n", str(args->filename, $n), str(args->filename, $n + 100)); }', '-c', `${w} 1 /tmp/abcdef`]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n[/tm] [/tmp/abcdef]\n\n\n');
});

test('str() of a string positional parameter, string variables as keys', () => {
  // bpftrace 0.17 gets this wrong: it prints "he" and counts the key "" twice.
  const r = bpfscript(['-e', 'BEGIN { $s = str($1); @[$s] = count(); @[$s] = count(); @[str($1, 2)] = count(); printf("%s\\n", $s); exit(); }', 'hello']);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\nhello\n\n\n@[he]: 1\n@[hello]: 2\n');
});

test('strncmp: prefixes, differences, terminators', () => {
  const out = sameAsBpftrace('BEGIN { printf("%d %d %d %d %d\\n", strncmp("abc", "abd", 2), strncmp("abc", "abd", 3), strncmp("abd", "abc", 3), strncmp("ab", "abc", 5), strncmp("abc", "abc", 0)); exit(); }');
  assert.is(out, 'Attaching 1 probe...\n0 1 1 1 0\n\n\n');
});

test('strncmp filters events by process name', () => {
  const w = fixture('syscalls');
  const out = sameAsBpftrace('tracepoint:syscalls:sys_enter_getppid /strncmp(comm, "syscalls", 8) == 0/ { @ = count(); }', ['-c', `${w} 100`]);
  assert.is(out, 'Attaching 1 probe...\n\n\n@: 100\n');
});

test('func in a uprobe is the traced function', () => {
  const w = fixture('openpaths');
  const r = bpfscript(['-e', `uprobe:${w}:main { printf("%s\\n", func); @[func] = count(); }`, '-c', `${w} 1`]);
  assert.is(r.stderr, '');
  // bpftrace 0.17 prints the same line, but shows the map key as a raw address (@[0x401615]).
  assert.is(r.stdout, 'Attaching 1 probe...\nmain\n\n\n@[main]: 1\n');
});

test('elapsed, rand, cgroup, curtask', () => {
  const cg = readFileSync('/proc/self/cgroup', 'utf8');
  assert.ok(cg.length > 0);
  const out = sameAsBpftrace('BEGIN { printf("%d %d %d %d\\n", elapsed < 10000000000, rand == rand + 0 || 1, cgroup > 0, curtask > 0); exit(); }');
  assert.is(out, 'Attaching 1 probe...\n1 1 1 1\n\n\n');
});

test('elapsed grows between events', () => {
  const r = bpfscript(['-e', 'BEGIN { @a = elapsed; } interval:ms:20 { @b = elapsed; printf("%d\\n", @b > @a && @b >= 20000000); exit(); }']);
  assert.is(r.stderr, '');
  assert.is(r.stdout.split('\n').slice(0, 2).join('\n'), 'Attaching 2 probes...\n1');
});

test('errors: func outside function probes, str() arguments', () => {
  for (const [prog, msg] of [
    ['tracepoint:syscalls:sys_enter_openat { printf("%s\\n", func); }', 'func is not available in tracepoint probes'],
    ['BEGIN { $x = str(); }', 'str() takes an address and an optional length: str(ptr [, n])'],
    ['BEGIN { $x = str(1, "a"); }', 'the length of str() must be an integer'],
    // A positional parameter is a literal (as in bpftrace); a variable is not.
    ['BEGIN { $n = 1; $x = strncmp("a", "b", $n); }', 'the length of strncmp() must be a non-negative integer literal'],
  ]) {
    const r = bpfscript(['-e', prog]);
    assert.is(r.status, 1, prog);
    assert.ok(r.stderr.includes(`ERROR: ${msg}`), r.stderr);
  }
});

test.run();
