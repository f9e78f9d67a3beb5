// Declarations of today's bpftrace (0.22 … 0.26): the config block with every setting 0.26
// knows, map declarations (`let @m = lruhash(N)`), and `let` variables with block scoping. No
// oracle runs these (bpftrace 0.17 has none of them): expected outputs come from bpftrace
// v0.26.1's own runtime tests (tests/runtime/config, map, probe) and docs, or are worked out by hand
// from a workload that makes a known number of syscalls.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, writeFileSync } from 'node:fs';
import { bpfscript, dynamicFixture, fixture, leakedPrograms, scratchPath } from './helpers';

test.after(() => {
  assert.equal(leakedPrograms(), []);
});

const warnings = (stderr: string) => stderr.split('\n').filter((l) => /WARNING|ERROR/.test(l));

test('config print_maps_on_exit = 0: no maps at exit; stack_mode = raw: ustack prints bare addresses', () => {
  const off = bpfscript(['-e', 'config = { print_maps_on_exit=0 } BEGIN { @["test"] = count(); @s = 1; printf("done\\n"); exit(); }']);
  assert.is(off.stderr, '');
  assert.is(off.stdout, 'Attaching 1 probe...\ndone\n');
  const w = fixture('syscalls');
  const raw = bpfscript(['-e', 'config = { BPFTRACE_STACK_MODE=raw } tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[ustack(1)] = count(); }', '-c', `${w} 3`]);
  assert.is(raw.stderr, '');
  assert.match(raw.stdout, /\n@\[\n\s*[0-9a-f]+\n\]: 3\n$/);
  // The environment wins over the script, as in bpftrace 0.26.
  const env = bpfscript(['-e', 'config = { stack_mode = raw } tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @[ustack(1)] = count(); }', '-c', `${w} 3`], { env: { BPFTRACE_STACK_MODE: 'perf' } });
  assert.match(env.stdout, /\n@\[\n\t[0-9a-f]+ .+\n\]: 3\n$/);
});

test('config: max_map_keys and max_strlen, the BPFTRACE_MAX_* variables over them; license; renamed and deprecated keys warn', () => {
  const prog = 'config = { max_map_keys = 3; strlen = 3; symbol_source = "dwarf"; license = "Dual BSD/GPL" } BEGIN { $i = 0; while ($i < 5) { @[$i] = $i; $i++; } printf("%s\\n", str(curtask->comm)); exit(); }';
  const r = bpfscript(['-e', prog]);
  assert.is(r.status, 0);
  assert.is(r.stdout, 'Attaching 1 probe...\nno\n\n\n@[0]: 0\n@[1]: 1\n@[2]: 2\n');
  assert.equal(warnings(r.stderr), [
    'stdin:1:30-40: WARNING: strlen has been renamed, please use max_strlen',
    'stdin:1:42-65: WARNING: symbol_source is deprecated and has no effect',
    'WARNING: 2 map updates dropped: a map was full (it holds max_map_keys keys, BPFTRACE_MAP_KEYS_MAX, default 4096, or what its let @m = hash(N) declares; raise that to keep more)',
  ]);
  const env = bpfscript(['--no-warnings', '-e', prog], { env: { BPFTRACE_MAX_MAP_KEYS: '5', BPFTRACE_MAX_STRLEN: '5' } });
  assert.is(env.stdout, 'Attaching 1 probe...\nnode\n\n\n@[0]: 0\n@[1]: 1\n@[2]: 2\n@[3]: 3\n@[4]: 4\n');
  const bad = bpfscript(['-e', 'config = { bad_config=raw; missing_probes = 1; license = "MIT" } BEGIN { exit(); }']);
  assert.is(bad.status, 1);
  assert.equal(warnings(bad.stderr), [
    'stdin:1:12-26: ERROR: bad_config: not a known configuration option',
    'stdin:1:45-46: ERROR: missing_probes: Invalid value for missing_probes: valid values are ignore, warn and error.',
    // bpftrace 0.26's words and order (its runtime test other.invalid license matches them).
    'stdin:1:58-63: ERROR: Invalid value for license. Found: MIT. Valid values: Dual MIT/GPL, Dual BSD/GPL, Dual MPL/GPL, GPL and additional rights, GPL v2, GPL',
  ]);
  const envBad = bpfscript(['-e', 'BEGIN { exit(); }'], { env: { BPFTRACE_PRINT_MAPS_ON_EXIT: 'maybe' } });
  assert.is(envBad.status, 1);
  assert.is(envBad.stderr, 'ERROR: BPFTRACE_PRINT_MAPS_ON_EXIT: Invalid bool value: valid values are true, false, 1 or 0.\n');
});

test('strings cut at max_strlen end with str_trunc_trailer (".." under 0.26); max_cat_bytes limits cat()', () => {
  const w = fixture('syscalls');
  const prog = 'tracepoint:syscalls:sys_enter_openat /pid == cpid/ { printf("P: %s\\n", str(args.filename)); @[str(args.filename)] = count(); @short = str(args.filename, 2); exit(); }';
  // bpftrace 0.26's runtime tests str_truncated and str_truncated_custom: max_strlen counts characters;
  // "explicit string truncation": str(s, n) keeps n - 1 and no trailer.
  const r = bpfscript(['--compat', '0.26', '-e', prog, '-c', `${w} 2`], { env: { BPFTRACE_MAX_STRLEN: '5' } });
  assert.is(r.stderr, 'Attached 1 probe\n');
  assert.is(r.stdout, 'P: /dev/..\n\n\n@[/dev/..]: 1\n@short: /\n');
  const custom = bpfscript(['--compat', '0.26', '-e', prog, '-c', `${w} 2`], { env: { BPFTRACE_MAX_STRLEN: '5', BPFTRACE_STR_TRUNC_TRAILER: '_xxx' } });
  assert.match(custom.stdout, /^P: \/dev\/_xxx\n/);
  // 0.17 has no trailer, and its strlen counts the NUL; the config block sets one explicitly.
  const old = bpfscript(['-e', `config = { max_strlen = 5; str_trunc_trailer = "~" } ${prog}`, '-c', `${w} 2`]);
  assert.match(old.stdout, /^Attaching 1 probe...\nP: \/dev~\n/);
  const plain = bpfscript(['-e', prog, '-c', `${w} 2`]);
  assert.match(plain.stdout, /^Attaching 1 probe...\nP: \/dev\/null\n/);
  const file = scratchPath('decls26-cat.txt');
  writeFileSync(file, 'abcdefghij\n');
  const cat = bpfscript(['-e', `config = { max_cat_bytes = 4 } BEGIN { cat("${file}"); printf("|\\n"); exit(); }`]);
  assert.is(cat.stdout, 'Attaching 1 probe...\nabcd|\n\n\n');
});

test('config missing_probes: warn skips a missing tracepoint (and removes a probe left with none), ignore says nothing, error fails', () => {
  const w = fixture('syscalls');
  const body = 'tracepoint:syscalls:sys_enter_getppid, tracepoint:syscalls:nonsense /pid == cpid/ { @ = count(); } t:nonsense:nonsense { @x = 1; }';
  const warn = bpfscript(['--compat', '0.26', '-e', `config = { missing_probes=warn } ${body}`, '-c', `${w} 4`]);
  assert.is(warn.status, 0);
  assert.match(warn.stdout, /@: 4\n$/);
  assert.not.match(warn.stdout, /@x/);
  assert.equal(warnings(warn.stderr), [
    'stdin:1:73-101: WARNING: No matches for tracepoint syscalls:nonsense. Skipping.',
    'stdin:1:133-152: WARNING: No matches for tracepoint nonsense:nonsense. Skipping.',
    'stdin:1:133-152: WARNING: Probe has no valid attach points. It is being removed which may cause issues with program behavior.',
  ]);
  const ignore = bpfscript(['-e', `config = { missing_probes = "ignore" } ${body}`, '-c', `${w} 4`]);
  assert.is(ignore.stderr, '');
  assert.match(ignore.stdout, /@: 4\n$/);
  // 0.26's default is error, in its words; 0.17 keeps its own message.
  const err = bpfscript(['--compat', '0.26', '-e', body]);
  assert.is(err.status, 1);
  assert.equal(warnings(err.stderr), ['stdin:1:40-68: ERROR: No matches for tracepoint syscalls:nonsense.', 'stdin:1:100-119: ERROR: No matches for tracepoint nonsense:nonsense.']);
  const all = bpfscript(['-e', 'config = { missing_probes=ignore } t:syscalls:nonsense { exit(); }']);
  assert.is(all.status, 1);
  assert.is(all.stderr, 'ERROR: No probes to attach\nHINT: every attach point of the script names something this system lacks\n');
});

test('config missing_probes at attach: kprobes this kernel cannot attach are skipped under warn, fail under error', () => {
  // This machine refuses fentry (which stands in for kprobes here) at load; a kernel with kprobes
  // attaches them, and then the interval probe alone decides the output either way.
  const prog = 'kprobe:vfs_read { @r = count(); } interval:ms:50 { @ticks = count(); exit(); }';
  const warn = bpfscript(['-e', `config = { missing_probes = warn } ${prog}`]);
  assert.is(warn.status, 0);
  assert.match(warn.stdout, /@ticks: 1\n$/);
  const ignore = bpfscript(['-e', `config = { missing_probes = ignore } ${prog}`]);
  assert.is(ignore.stderr, '');
  assert.match(ignore.stdout, /@ticks: 1\n$/);
  const err = bpfscript(['-e', prog]);
  if (err.status === 0) return; // this kernel attaches kprobes
  assert.match(warn.stderr, /^WARNING: Unable to attach probe: kprobe:vfs_read\. Skipping\. \(/);
  assert.match(err.stderr, /^ERROR: cannot attach kprobe:vfs_read: /);
});

test('map declarations: hash(1) is full at the second key, lruhash evicts, per-CPU kinds hold aggregations summed over CPUs', () => {
  const r = bpfscript([
    '-e',
    'let @a = hash(1); let @b = lruhash(1); let @c = percpuhash(1); let @d = percpulruhash(1); let @e = hash(1);\n' +
      'BEGIN { @a[1] = 1; @a[2] = 2; @b[1] = 1; @b[2] = 2; @c[1] = count(); @c[2] = count(); @d[1] = count(); @d[2] = count(); @e[0] = 0; @e[0] = 1; exit(); }',
  ]);
  assert.is(r.status, 0);
  assert.is(r.stdout, 'Attaching 1 probe...\n\n\n@a[1]: 1\n@b[2]: 2\n@c[1]: 1\n@d[2]: 1\n@e[0]: 1\n');
  assert.match(r.stderr, /^WARNING: 2 map updates dropped: a map was full/);
  const w = fixture('syscalls');
  const counted = bpfscript(['-e', 'let @n = percpulruhash(8); let @last = lruhash(8); tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @n[comm] = count(); @last[pid == cpid] = nsecs > 0; }', '-c', `${w} 50`]);
  assert.is(counted.stderr, '');
  assert.match(counted.stdout, /\n@last\[1\]: 1\n@n\[syscalls\]: 50\n$/);
});

test('map declarations: a kind that does not fit the values is an error; an unused one a warning', () => {
  const r = bpfscript(['-e', 'let @a = hash(2); let @p = percpulruhash(2); let @u = lruhash(3); BEGIN { @a = count(); @p[1] = 1; }']);
  assert.is(r.status, 1);
  assert.equal(warnings(r.stderr), [
    'stdin:1:75-77: ERROR: Incompatible map types. Type from declaration: hash. Type from value/key type: percpuhash',
    'stdin:1:89-94: ERROR: Incompatible map types. Type from declaration: percpulruhash. Type from value/key type: hash',
    'stdin:1:46-66: WARNING: Unused map: @u',
  ]);
  const unused = bpfscript(['-e', 'let @a = percpuhash(1); BEGIN { exit(); }']);
  assert.is(unused.status, 0);
  assert.equal(warnings(unused.stderr), ['stdin:1:1-24: WARNING: Unused map: @a']);
  const bad = bpfscript(['-e', 'let @a = potato(2); let @b = hash(0); BEGIN { exit(); }']);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, "ERROR: unknown map type 'potato'");
  assert.match(bad.stderr, 'ERROR: a map needs room for at least one entry');
});

test('let under 0.26: block scoping, an if and its else with variables of different types, let in a loop starts at 0, typed let', () => {
  const r = bpfscript([
    '--compat',
    '0.26',
    '-e',
    'BEGIN { let $a; if (1) { $a = "x"; $x = 1; printf("%d\\n", $x); } else { $a = "yy"; $x = "s"; printf("%s\\n", $x); }\n' +
      '  $i = 0; while ($i < 3) { let $q; $q += $i; $i++; printf("q=%d ", $q); }\n' +
      '  let $y: uint8 = 257; let $z: int16; let $t = (1, "two"); printf("%s %d %d %s\\n", $a, $y, $z, $t.1); exit(); }',
  ]);
  assert.is(r.stderr, 'Attached 1 probe\n');
  assert.is(r.stdout, '1\nq=0 q=1 q=2 x 1 0 two\n\n\n');
});

test('let under 0.26: a read after the block ended and shadowing are errors; a declaration never assigned a warning', () => {
  const r = bpfscript(['--compat', '0.26', '-e', 'BEGIN { if (1) { $b = 2; } printf("%d\\n", $b); let $x = 1; if (1) { let $x = 2; } }']);
  assert.is(r.status, 1);
  assert.equal(warnings(r.stderr), [
    'stdin:1:43-45: ERROR: Undefined or undeclared variable: $b',
    'stdin:1:69-79: ERROR: Variable $x was already declared. Variable shadowing is not allowed.',
  ]);
  assert.match(r.stderr, "HINT: $b was assigned inside a block (at 1:18) that has ended: since bpftrace 0.22 a variable belongs to its block. Declare it before the block with 'let $b;', or run with --compat 0.17");
  const never = bpfscript(['-e', 'BEGIN { let $n; exit(); }']);
  assert.is(never.status, 0);
  assert.equal(warnings(never.stderr), ['stdin:1:13-15: WARNING: Variable $n was never assigned to.']);
});

test('let under 0.26: loops each with a variable of its own, string annotations, a loop variable shadowing one is an error', () => {
  const r = bpfscript([
    '--compat',
    '0.26',
    '-e',
    'BEGIN { for ($i : 1..3) { $j = $i * 10; printf("%d ", $j); } for ($i : 0..2) { $j = "s"; printf("%d%s ", $i, $j); }\n' +
      '  let $s: string; $s = "abc"; let $t: string = "xy"; @m[1] = 2; for ($kv : @m) { $j = 1; printf("%d %d ", $kv.1, $j); } printf("%s %s\\n", $s, $t); exit(); }',
  ]);
  assert.is(r.stderr, 'Attached 1 probe\n');
  assert.is(r.stdout, '10 20 0s 1s 2 1 abc xy\n\n\n@m[1]: 2\n');
  const shadow = bpfscript(['--compat', '0.26', '-e', 'BEGIN { $i = 5; for ($i : 1..3) { print($i) } }']);
  assert.is(shadow.status, 1);
  assert.equal(warnings(shadow.stderr), ['stdin:1:22-24: ERROR: Loop declaration shadows existing variable: $i']);
});

test('let under 0.17: probe scope as before, with a warning where 0.26 would mean something else', () => {
  const r = bpfscript(['-e', 'BEGIN { $i = 0; while ($i < 2) { $last = $i; $i++; } if (1) { $s = 5; } $s += 1; let $k = 7; printf("%d %d %d\\n", $last, $s, $k); exit(); }']);
  assert.is(r.status, 0);
  assert.is(r.stdout, 'Attaching 1 probe...\n1 6 7\n\n\n');
  assert.equal(warnings(r.stderr), [
    'stdin:1:73-75: WARNING: $s is read outside the block where it was first assigned (at 1:63): bpftrace 0.22+ (--compat 0.26) scopes variables to their block and refuses this',
    'stdin:1:115-120: WARNING: $last is read outside the block where it was first assigned (at 1:34): bpftrace 0.22+ (--compat 0.26) scopes variables to their block and refuses this',
  ]);
});

test('a threadsnoop-like script: missing_probes = ignore drops the libpthread probe glibc 2.34 emptied; libc\'s sees each thread', () => {
  const w = dynamicFixture('threads', '-O1');
  const script = 'config = { missing_probes = ignore; }\nuprobe:libpthread:pthread_create, uprobe:libc:pthread_create /pid == cpid/ { printf("%s %s %s\\n", strftime("%H:%M:%S.%f", nsecs), comm, usym(arg2)); }';
  const r = bpfscript(['-e', script, '-c', `${w} 3`]);
  assert.is(r.stderr, '');
  assert.is(r.status, 0);
  const lines = r.stdout.split('\n').filter((l) => / threads-O1 /.test(l));
  assert.is(lines.length, 3, r.stdout);
  for (const l of lines) assert.match(l, /^\d\d:\d\d:\d\d\.\d{6} threads-O1 work$/);
  // bpftrace's own tool, when its tools/ are at hand (they are not part of this project).
  const tool = '/tmp/tools/master/tools/threadsnoop.bt';
  if (!existsSync(tool)) return;
  const t = bpfscript([tool, '-c', `${w} 2`]);
  assert.is(t.status, 0, t.stderr);
  assert.is(t.stdout.split('\n').filter((l) => /threads-O1\s+work$/.test(l)).length, 2, t.stdout);
});

test('a loop body that needs scratch space (str() of a kernel string, the zero value of an aggregation) compiles and runs, in range and map loops', () => {
  // Such bodies end early when a lookup fails; in a loop's callback that is the loop's own return
  // type (opensnoop.bt of bpftrace master builds its path this way).
  const r = bpfscript(['-e', 'BEGIN { @m[7] = 1; for ($j : 0..2) { $s = str(curtask->comm); @c[$j] = sum($j + 1); printf("%d %s\\n", $j, $s); } for ($kv : @m) { $t = str(curtask->comm); printf("%d %s\\n", $kv.0, $t); } exit(); }']);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n0 node\n1 node\n7 node\n\n\n@c[0]: 1\n@c[1]: 2\n@m[7]: 1\n');
});

test.run();
