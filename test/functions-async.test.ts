// The user-space side functions in the kernel, against bpftrace 0.17: join() of execve's argv,
// cat(), system() and its --unsafe refusal, buf() with %r/%rx/%rh and in maps, strftime() values,
// signal() killing a traced child, override()'s checks; text and -f json.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from './child';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertVerifies, bpfscript, bpfscriptUntil, fixture, leakedPrograms, sameAsBpftrace, renamedFixture } from './helpers';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// In-process compiles ask this kernel what it allows, as the CLI does.
useLibbpfFeatureProbes();

const dir = mkdtempSync(join(tmpdir(), 'async-'));
const file = join(dir, 'f.txt');
writeFileSync(file, 'line1\n\tline2 \x01\n');

test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** bpftrace 0.17's tools, where this machine keeps a copy. */
const TOOLS = process.env.BPFTRACE_TOOLS ?? '/tmp/tools017/tools';
const EXECVE = 'tracepoint:syscalls:sys_enter_execve /pid == cpid/';

test('join(args->argv) with the default and a given separator: as bpftrace', () => {
  const out = sameAsBpftrace(`${EXECVE} { join(args->argv); join(args->argv, ", "); exit(); }`, ['-c', '/bin/true a bb ccc']);
  assert.is(out, 'Attaching 1 probe...\n/bin/true a bb ccc\n/bin/true, a, bb, ccc\n\n\n');
});

test('join in -f json: {"type": "join"}, as bpftrace', () => {
  const out = sameAsBpftrace(`${EXECVE} { join(args->argv, "-"); exit(); }`, ['-f', 'json', '-c', '/bin/true x y']);
  assert.match(out, '{"type": "join", "data": "/bin/true-x-y"}\n');
});

test('join stops at 16 arguments, as bpftrace', () => {
  const args = Array.from({ length: 20 }, (_, i) => `a${i}`).join(' ');
  const out = sameAsBpftrace(`${EXECVE} { join(args->argv); exit(); }`, ['-c', `/bin/true ${args}`]);
  assert.match(out, `/bin/true a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 a10 a11 a12 a13 a14\n`);
});

test('cat(file) and cat(fmt, args) print the file, text and json: as bpftrace', () => {
  const out = sameAsBpftrace(`BEGIN { cat("${file}"); cat("${dir}/%s.txt", "f"); printf("end\\n"); exit(); }`);
  assert.is(out, 'Attaching 1 probe...\nline1\n\tline2 \x01\nline1\n\tline2 \x01\nend\n\n\n');
  sameAsBpftrace(`BEGIN { cat("${file}"); exit(); }`, ['-f', 'json']);
});

test('cat honours BPFTRACE_CAT_BYTES_MAX, as bpftrace', () => {
  const out = sameAsBpftrace(`BEGIN { cat("${file}"); printf("|\\n"); exit(); }`, [], { BPFTRACE_CAT_BYTES_MAX: '4' });
  assert.is(out, 'Attaching 1 probe...\nline|\n\n\n');
});

test('cat of a missing file: the error on stderr, tracing goes on', () => {
  const r = bpfscript(['-e', `BEGIN { cat("${dir}/nope"); printf("after\\n"); exit(); }`]);
  assert.is(r.status, 0);
  assert.is(r.stderr, `ERROR: failed to open file '${dir}/nope': No such file or directory\n`);
  assert.is(r.stdout, 'Attaching 1 probe...\nafter\n\n\n');
});

test('system() with --unsafe runs the command in order with printf: as bpftrace', () => {
  const out = sameAsBpftrace('BEGIN { printf("a\\n"); system("echo hi %d %s", 5, "x"); printf("b\\n"); exit(); }', ['--unsafe']);
  assert.is(out, 'Attaching 1 probe...\na\nhi 5 x\nb\n\n\n');
  const json = sameAsBpftrace('BEGIN { system("echo hi"); exit(); }', ['--unsafe', '-f', 'json']);
  assert.match(json, '{"type": "syscall", "data": "hi\\n"}\n');
});

test('system(), signal() and override() without --unsafe: an error with span and hint, exit 1', () => {
  const cases: [string, string][] = [
    ['BEGIN { system("echo hi"); }', 'system'],
    ['tracepoint:syscalls:sys_enter_getppid { signal("KILL"); }', 'signal'],
    ['kprobe:vfs_read { override(-1); }', 'override'],
  ];
  for (const [prog, fn] of cases) {
    const r = bpfscript(['-e', prog]);
    assert.is(r.status, 1, prog);
    assert.is(r.stdout, '');
    const col = prog.indexOf(fn) + 1;
    const end = prog.indexOf(')', col) + 2;
    assert.is(
      r.stderr,
      `stdin:1:${col}-${end}: ERROR: ${fn}() is an unsafe function being used in safe mode\n${prog}\n${' '.repeat(col - 1)}${'~'.repeat(end - col)}\nHINT: run with --unsafe to allow ${fn}()\n`,
    );
  }
});

test('buf() with %r %rx %rh, as a map key and value, and print(): text and json as bpftrace', () => {
  const prog =
    'BEGIN { $a = buf("ab\\n\\x01c", 5); printf("%r|%rx|%rh|\\n", $a, $a, $a); ' +
    '@[buf("k\\tq", 3)] = count(); @v = buf("v\\x7f", 2); print(@v); print(buf("hi", 2)); exit(); }';
  const out = sameAsBpftrace(prog);
  assert.is(out, 'Attaching 1 probe...\nab\\x0a\\x01c|\\x61\\x62\\x0a\\x01\\x63|61 62 0a 01 63|\n@v: v\\x7f\nhi\n\n\n@[k\\x09q]: 1\n@v: v\\x7f\n');
  sameAsBpftrace(prog, ['-f', 'json']);
});

test('buf() of user memory (openat filename) with a literal and a computed length: as bpftrace', () => {
  const w = fixture('syscalls');
  const out = sameAsBpftrace(
    'tracepoint:syscalls:sys_enter_openat /pid == cpid/ { printf("%r|%rh\\n", buf(args->filename, args->flags + 9), buf(args->filename, 2)); @[buf(args->filename, 5)] = count(); }',
    ['-c', `${w} 4`],
  );
  assert.is(out, 'Attaching 1 probe...\n/dev/null|2f 64\n/dev/null|2f 64\n\n\n@[/dev/]: 2\n');
});

test('buf() errors: %s of a buffer, a missing length, a negative length', () => {
  let r = bpfscript(['-e', 'BEGIN { printf("%s\\n", buf("ab", 2)); }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, 'ERROR: printf: %s specifier expects a value of type string (buffer supplied)');
  r = bpfscript(['-e', 'BEGIN { printf("%r\\n", 1); }']);
  assert.match(r.stderr, 'ERROR: printf: %r specifier expects a value of type buffer (integer supplied)');
  r = bpfscript(['-e', 'tracepoint:syscalls:sys_enter_openat { @ = buf(args->filename); }']);
  assert.match(r.stderr, 'ERROR: buf() expects a length argument for non-array type integer');
  r = bpfscript(['-e', 'BEGIN { @ = buf("ab", -1); }']);
  assert.match(r.stderr, 'ERROR: buf cannot use negative length (-1)');
});

test('strftime() values in printf, print, maps and json: as bpftrace', () => {
  // Only fields that cannot change between the two runs (the boot time is fixed).
  const prog = 'BEGIN { printf("%s|%s\\n", strftime("%Y-%m-%d", nsecs), strftime("%H:%M:%S %j", 0)); @t = strftime("%Y", nsecs); print(strftime("%%j=%j", nsecs)); exit(); }';
  sameAsBpftrace(prog);
  sameAsBpftrace(prog, ['-f', 'json']);
});

test('strftime()\'s %f is the microseconds of the time given', () => {
  const r = bpfscript(['-e', 'BEGIN { printf("%s %s\\n", strftime("%f", 0), strftime("%f", 0)); exit(); }']);
  assert.is(r.stderr, '');
  const [a, b] = r.stdout.split('\n')[1].split(' ');
  assert.match(a, /^\d{6}$/);
  assert.is(a, b);
});

test('signal("SIGKILL") kills the traced child on the syscall it makes', async () => {
  const { path: victim, comm } = renamedFixture('sigvictim');
  let child: ReturnType<typeof spawnSync> | undefined;
  const r = await bpfscriptUntil(['--unsafe', '-e', `tracepoint:syscalls:sys_enter_getppid /comm == "${comm}"/ { signal("SIGKILL"); }`], () => {
    child = spawnSync(victim, ['3'], { encoding: 'utf8' });
  });
  assert.is(r.stderr, '');
  assert.is(child!.signal, 'SIGKILL');
  assert.is(child!.stdout, '');
  // Untraced, the same workload runs to its end.
  const free = spawnSync(victim, ['3'], { encoding: 'utf8' });
  assert.is(free.status, 0);
  assert.is(free.stdout, 'alive\nalive\nalive\n');
});

test('signal() by number and by short name compile; invalid signals and probes are errors', () => {
  const out = join(dir, 'sig.o');
  for (const sig of ['9', '"KILL"', '"SIGUSR1"', 'args->id']) {
    const r = bpfscript(['--unsafe', '--emit-elf', out, '-e', `tracepoint:raw_syscalls:sys_enter { signal(${sig}); }`]);
    assert.is(r.stderr, '', sig);
    assert.is(r.status, 0);
  }
  let r = bpfscript(['--unsafe', '-e', 'tracepoint:syscalls:sys_enter_getppid { signal("SIGFOO"); }']);
  assert.match(r.stderr, 'ERROR: SIGFOO is not a valid signal');
  r = bpfscript(['--unsafe', '-e', 'tracepoint:syscalls:sys_enter_getppid { signal(65); }']);
  assert.match(r.stderr, 'ERROR: 65 is not a valid signal, allowed range: [1,64]');
  r = bpfscript(['--unsafe', '-e', 'BEGIN { signal(9); }']);
  assert.match(r.stderr, 'ERROR: signal can not be used with "BEGIN" probes');
  assert.is(r.status, 1);
});

test('override() only in kprobes; in a kprobe it compiles to bpf_override_return', () => {
  const r = bpfscript(['--unsafe', '-e', 'tracepoint:syscalls:sys_enter_getppid { override(-1); }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, 'ERROR: override can only be used with kprobes.');
  const out = join(dir, 'ov.o');
  const ok = bpfscript(['--unsafe', '--emit-elf', out, '-e', 'kprobe:__x64_sys_getppid { override(-1); }']);
  assert.is(ok.stderr, '');
  assert.is(ok.status, 0);
});

test("bpftrace 0.17's execsnoop.bt, oomkill.bt and undump.bt (join, cat, buf) pass the verifier", async () => {
  const { compile } = await import('../src/compile');
  for (const tool of ['execsnoop', 'oomkill', 'undump']) {
    const path = join(TOOLS, `${tool}.bt`);
    if (!existsSync(path)) continue;
    assertVerifies(compile(readFileSync(path, 'utf8'), { file: path }).elf, tool);
  }
});

test.run();
