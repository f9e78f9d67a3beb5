// Bad input of every kind: one clear message with the span and a hint, exit status 1, no stack
// trace, nothing loaded.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { BIN, bpfscript, leakedPrograms } from './helpers';

function fails(args: string[], expected: string): void {
  const r = bpfscript(args);
  assert.is(r.status, 1, `exit status for ${args.join(' ')}`);
  assert.is(r.stdout, '');
  assert.is(r.stderr, expected);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
}

test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

test('--compat with a version bpfscript does not speak', () => {
  fails(['--compat', '0.15', '-e', 'BEGIN { exit(); }'], "ERROR: --compat: unknown bpftrace version '0.15'\nHINT: choose one of 0.17, 0.26\n");
});

test('a bad -p is refused in the chosen bpftrace\'s words', () => {
  fails(['-p', 'a1111', '-e', 'BEGIN { exit(); }'], "ERROR: pid 'a1111' is not a valid decimal number\n");
  fails(['--compat', '0.26', '-p', 'a1111', '-e', 'BEGIN { exit(); }'], 'ERROR: Failed to parse pid: invalid integer: a1111\n');
  fails(['--compat', '0.26', '-p', '111a1', '-e', 'BEGIN { exit(); }'], 'ERROR: Failed to parse pid: invalid trailing bytes: 111a1\n');
  fails(['--compat', '0.26', '-p', '5000000', '-e', 'BEGIN { exit(); }'], 'ERROR: Pid out of range: 5000000\n');
});

test('-e given twice: the last program counts, as with bpftrace', () => {
  const r = bpfscript(['-e', 'BEGIN { printf("one\\n"); exit(); }', '-e', 'BEGIN { printf("two\\n"); exit(); }']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'Attaching 1 probe...\ntwo\n\n\n');
});

test('unknown tracepoint', () => {
  fails(['-e', 'tracepoint:syscalls:nope { }'], [
    'stdin:1:1-25: ERROR: tracepoint not found: syscalls:nope',
    'tracepoint:syscalls:nope { }',
    '~~~~~~~~~~~~~~~~~~~~~~~~',
    'HINT: list tracepoints with: bpfscript -l "tracepoint:*"',
    '',
  ].join('\n'));
});

test('unknown tracepoint field, with the fields it has', () => {
  fails(['-e', 'tracepoint:syscalls:sys_enter_openat { @ = args->nofield; }'], [
    "stdin:1:50-57: ERROR: tracepoint tracepoint:syscalls:sys_enter_openat has no field named 'nofield'",
    'tracepoint:syscalls:sys_enter_openat { @ = args->nofield; }',
    '                                                 ~~~~~~~',
    'HINT: its fields are: __syscall_nr, dfd, filename, flags, mode',
    '',
  ].join('\n'));
});

test('unknown function, reported once', () => {
  fails(['-e', 'BEGIN { @x = foo(1); }'], 'stdin:1:14-17: ERROR: Unknown function: foo\nBEGIN { @x = foo(1); }\n             ~~~\n');
});

test('syntax error', () => {
  const r = bpfscript(['-e', 'BEGIN { @x = 1 +; }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^stdin:1:17-18: ERROR: .*\nBEGIN \{ @x = 1 \+; \}\n {16}~\n/);
});

test('syntax error in a file names the file and line', () => {
  const r = bpfscript(['test/fixtures/syntax-error.bt']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^test\/fixtures\/syntax-error\.bt:3:/);
});

test('printf argument of the wrong type', () => {
  fails(['-e', 'BEGIN { printf("%d\\n", comm); }'], [
    'stdin:1:24-28: ERROR: printf: %d specifier expects a value of type integer (string supplied)',
    'BEGIN { printf("%d\\n", comm); }',
    '                       ~~~~',
    '',
  ].join('\n'));
});

test('map used with conflicting types names both uses', () => {
  const r = bpfscript(['-e', 'BEGIN { @m = 1; @m = "s"; }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /map @m assigned string\[2\], but it was first assigned uint64|map @m assigned string\[2\], but it was first assigned int64/);
});

test('unknown probe type lists the ones there are', () => {
  const r = bpfscript(['-e', 'nosuch:foo { }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /ERROR: Invalid probe type: nosuch\n/);
  assert.match(r.stderr, /HINT: probe types available: /);
});

test('no program, and unknown flags', () => {
  fails([], "ERROR: no program given\nHINT: pass a script file or -e 'program'\n");
  fails(['--bogus'], "ERROR: Unknown argument: bogus\nHINT: run bpfscript -h for every option\nUSAGE:\n    bpfscript [options] filename\n    bpfscript [options] - <stdin input>\n    bpfscript [options] -e 'program'\n");
  fails(['/no/such/script.bt'], "ERROR: failed to open file '/no/such/script.bt': No such file or directory\n");
});

test('not root: one clear line, and compiling alone still works', () => {
  const asNobody = (args: string[]) =>
    spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args], { encoding: 'utf8' });
  const r = asNobody(['-e', 'BEGIN { exit(); }']);
  assert.is(r.status, 1);
  assert.is(r.stderr, 'ERROR: bpfscript must run as root to load BPF programs\nHINT: run it with sudo, or use --emit-elf/--emit-llvm to compile without loading\n');
  const c = asNobody(['--emit-elf', '/dev/null', '-e', 'BEGIN { exit(); }']);
  assert.is(c.status, 0, c.stderr);
});

test.run();
