// bpftrace 0.26's command line, listing and missing-probe words, as its runtime tests (probe, basic,
// regression) expect them: long options, -l over a program, a file, commas and types, interval and
// software listing, "is not traceable", "specified module ... is not loaded.", "No probes to
// attach" as a bare line, software aliases in `probe`. Real runs; each checks the output, and the
// 0.17 dialect where it must stay as it was.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { spawn } from './child';
import { bpfscript, dynamicFixture, fixture, scratchPath } from './helpers';

const run = (args: string[], compat = '0.26') => bpfscript(['--no-cache', '--compat', compat, ...args], { timeoutMs: 30_000 });
const lines = (s: string) => s.split('\n').filter(Boolean);

test('long options: --cmd runs the command (cpid), --quiet, --btf and --verify-llvm-ir are accepted', () => {
  const r = run(['--quiet', '-b', '--verify-llvm-ir', '-e', 'interval:ms:50 { printf("cpid %d\\n", cpid); exit(); }', '--cmd', '/bin/sleep 5']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^cpid [1-9]\d*$/m);
  assert.not.match(r.stderr, /Attached/);
});

test('--list and --pid list the probes of a running process; --no-feature checks its values', async () => {
  const child = spawn(fixture('sigvictim'), ['100000000'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 300));
    const r = run(['--list', '-e', 'uretprobe:*:main { exit(); }', '--pid', String(child.pid)]);
    assert.is(r.status, 0, r.stderr);
    assert.equal(lines(r.stdout), [`uretprobe:/proc/${child.pid}/root${fixture('sigvictim')}:main`]);
  } finally {
    child.kill('SIGKILL');
  }
  const bad = run(['--no-feature', 'bogus', '-e', 'begin { exit(); }']);
  assert.is(bad.status, 1);
  assert.is(bad.stderr, "ERROR: USAGE: --no-feature can only have values 'kprobe_multi,kprobe_session,uprobe_multi'.\n");
});

test('-l over a program lists what it attaches to, timed and counted events by their unit', () => {
  const r = run(['-l', '-e', 'begin { } interval:s:1 { exit(); } software:cpu:10 { } tracepoint:syscalls:sys_enter_openat { }']);
  assert.is(r.status, 0, r.stderr);
  assert.equal(lines(r.stdout), ['interval:s:', 'software:cpu:', 'tracepoint:syscalls:sys_enter_openat']);
  const file = scratchPath('lang-b26-list.bt');
  writeFileSync(file, 'interval:ms:1 { } profile:hz:99 { }\n');
  assert.equal(lines(run(['-l', file]).stdout), ['interval:ms:', 'profile:hz:']);
  // 0.17 reads a file name after -l as a search, as bpftrace 0.17 does.
  assert.is(run(['-l', file], '0.17').stdout, '');
});

test('-l in 0.26: units, aliases, commas, types, and the warning for a file that does not exist', () => {
  assert.equal(lines(run(['-l', 'interval:*']).stdout), ['interval:hz:', 'interval:ms:', 'interval:s:', 'interval:us:']);
  assert.ok(lines(run(['-l', 'software:*']).stdout).includes('software:cpu:'));
  assert.is(run(['-l', 'interval:*'], '0.17').stdout, '');
  assert.not.ok(lines(run(['-l', 'software:*'], '0.17').stdout).includes('software:cpu:'));
  const types = run(['-lv', 'struct file, enum pid_type']);
  assert.is(types.status, 0, types.stderr);
  assert.match(types.stdout, /^struct file \{\n(\t[^\n]+\n)+\};\nenum pid_type \{\n(\t\w+ = \d+,\n)+\};\n$/);
  assert.match(types.stdout, /^\tconst struct file_operations \*f_op;$/m);
  // An anonymous union is written out where it lies.
  assert.match(types.stdout, /^\tunion \{\n(\t\t[^\n]+;\n)+\t\};$/m);
  const missing = run(['-l', 'no_such_file.bt']);
  assert.match(missing.stderr, /^WARNING: It appears that 'no_such_file\.bt' is a filename but the file does not exist\. Treating 'no_such_file\.bt' as a search pattern\.$/m);
});

test('-l in 0.26 lists kprobes and kretprobes (from kallsyms when tracefs hides its list) and raw tracepoints', () => {
  const r = run(['-l', '*do_nanosleep*']);
  assert.is(r.status, 0, r.stderr);
  for (const l of ['kprobe:do_nanosleep', 'kretprobe:do_nanosleep', 'fentry:vmlinux:do_nanosleep']) assert.ok(lines(r.stdout).includes(l), `${l} in ${r.stdout}`);
  const raw = run(['-l', 'rawtracepoint:sched_switch']);
  assert.equal(lines(raw.stdout), ['rawtracepoint:sched_switch']);
});

test('-lv fentry:* starts printing at once (descriptions worked out as they are printed)', () => {
  const started = Date.now();
  const r = bpfscript(['--no-cache', '--compat', '0.26', '-lv', 'fentry:vfs_rea*'], { timeoutMs: 30_000 });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^fentry:vmlinux:vfs_read\n    struct file \* file\n/m);
  assert.ok(Date.now() - started < 20_000);
});

test('a kprobe on a function the kernel cannot trace: 0.26 warns, then it is missing', () => {
  const r = run(['-e', 'kprobe:vmlinux:nonsense_zz { exit(); }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^stdin:1:1-27: WARNING: nonsense_zz is not traceable \(either non-existing, inlined, or marked as "notrace"\); attaching to it will likely fail$/m);
  assert.match(r.stderr, /^stdin:1:1-27: ERROR: No matches for kprobe vmlinux:nonsense_zz\.$/m);
  const mod = run(['-e', 'kprobe:nonsense_mod:vfs_read { exit(); }']);
  assert.match(mod.stderr, /^stdin:1:1-29: ERROR: specified module nonsense_mod in probe kprobe:nonsense_mod:vfs_read is not loaded\.$/m);
  const raw = run(['-e', 'rawtracepoint:nonsense:sys_exit { exit(); }']);
  assert.is(raw.status, 1);
  assert.match(raw.stderr, /ERROR: No matches for rawtracepoint nonsense:sys_exit\.$/m);
});

test('missing_probes = warn with every probe missing: each removed with a warning, then "No probes to attach"', () => {
  const prog = 'config = { missing_probes=warn } kprobe:nonsense_zz { exit(); } t:syscalls:nonsense { exit(); } uprobe:/bin/sh:nonsense_zz { exit(); }';
  const r = run(['-e', prog]);
  assert.is(r.status, 1);
  const said = lines(r.stderr).filter((l) => /(WARNING|ERROR):|^No probes/.test(l)).map((l) => l.replace(/^stdin:[\d:-]+ /, ''));
  assert.equal(said, [
    'WARNING: nonsense_zz is not traceable (either non-existing, inlined, or marked as "notrace"); attaching to it will likely fail',
    'WARNING: No matches for kprobe nonsense_zz. Skipping.',
    'WARNING: Probe has no valid attach points. It is being removed which may cause issues with program behavior.',
    'WARNING: No matches for tracepoint syscalls:nonsense. Skipping.',
    'WARNING: Probe has no valid attach points. It is being removed which may cause issues with program behavior.',
    'WARNING: No matches for uprobe /bin/sh:nonsense_zz. Skipping.',
    'WARNING: Probe has no valid attach points. It is being removed which may cause issues with program behavior.',
    'No probes to attach',
  ]);
  const ignored = run(['-e', prog.replace('warn', 'ignore')]);
  assert.is(ignored.status, 1);
  assert.match(ignored.stderr, /^No probes to attach$/m);
  assert.not.match(ignored.stderr, /WARNING/);
  const filtered = run(['--probe-filter', 'nothing_matches_this', '-e', 'interval:s:1 { exit(); }']);
  assert.match(filtered.stderr, /^No probes to attach$/m);
  assert.match(run(['--probe-filter', 'nothing_matches_this', '-e', 'interval:s:1 { exit(); }'], '0.17').stderr, /^ERROR: No probes to attach$/m);
});

test('`probe` names a software event by its alias as written under 0.26', () => {
  const r = run(['-e', 'software:cpu:100000 { print(probe); exit(); }']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'software:cpu:100000');
  const old = run(['-e', 'software:cpu:100000 { print(probe); exit(); }'], '0.17');
  assert.match(old.stdout, /^software:cpu-clock:100000$/m);
});

test('0.26 warns on a statement after exit(); 0.17 does not', () => {
  const prog = 'interval:ms:10 { @n++; exit(); @n++; }';
  const r = run(['-e', prog]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /^stdin:1:32-36: WARNING: Unreachable statement\.$/m);
  assert.match(r.stdout, /^@n: 1$/m);
  assert.not.match(run(['-e', prog], '0.17').stderr, /Unreachable/);
});

test('config license and getopt refusals in 0.26 words', () => {
  const lic = run(['-e', 'config = { license = "Potato" } begin { exit(); }']);
  assert.is(lic.status, 1);
  assert.match(lic.stderr, /ERROR: Invalid value for license\. Found: Potato\. Valid values: Dual MIT\/GPL, Dual BSD\/GPL, Dual MPL\/GPL, GPL and additional rights, GPL v2, GPL$/m);
  const opt = run(['-e', 'begin { print(getopt("aa", 10)); }', '--', '--aa=False']);
  assert.is(opt.status, 1);
  assert.is(opt.stderr, 'ERROR: program command line option --aa invalid integer (value: False)\n');
  assert.match(run(['-e', 'begin { print(getopt("aa", 10)); }', '--', '--aa=False'], '0.17').stderr, /^stdin:1:15-31: ERROR: program command line option --aa invalid integer/m);
});

test('uprobe:*:FUNC with -p attaches in every object the process maps', async () => {
  const victim = fixture('sigvictim');
  const child = spawn(victim, ['100000000'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 300));
    const r = run(['-e', 'uprobe:*:getppid { printf("hit %s\\n", probe); exit(); }', '-p', String(child.pid)]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /^Attached 1 probe$/m);
    assert.match(r.stdout, new RegExp(`^hit uprobe:/proc/${child.pid}/root${victim}:getppid$`, 'm'));
  } finally {
    child.kill('SIGKILL');
  }
});

test('0.26 refusals said at attach, without a location: a zero-sized symbol, an address in no function; an empty wildcard', () => {
  const bin = dynamicFixture('sigvictim', '-O1');
  const zero = run(['-e', `uprobe:${bin}:_init { exit(); }`]);
  assert.is(zero.status, 1);
  assert.match(zero.stderr, /^ERROR: Could not determine boundary for _init \(symbol has size 0\)\.\nUse --unsafe to force attachment\. WARNING: This option could lead to data corruption in the target process\.$/m);
  const addr = run(['-e', `uprobe:${bin}:10 { exit(); }`]);
  assert.match(addr.stderr, new RegExp(`^ERROR: Could not resolve address: ${bin}:0xa$`, 'm'));
  const rcu = run(['-e', 'kprobe:rcu_* { exit(); }']);
  assert.is(rcu.status, 1);
  assert.match(rcu.stderr, /^stdin:1:1-13: ERROR: Probe has no valid attach points\. If this is expected, set the 'missing_probes' config variable to 'warn'\.$/m);
  // 0.17 keeps its location and attaches to a zero-sized symbol, as bpftrace 0.17 does.
  assert.match(run(['-e', `uprobe:${bin}:10 { exit(); }`], '0.17').stderr, /^stdin:1:1-\d+: ERROR: Could not resolve address/m);
});

test('software events in 0.26: counts in scientific notation, attached in the script order, -p counts that process alone', async () => {
  const order = run(['-e', 'software:cpu:1e6 { printf("first"); } software:cpu:1e6 { printf(" second\\n"); exit(); }']);
  assert.is(order.status, 0, order.stderr);
  assert.match(order.stdout, /^(first)+ second$/m);
  const busy = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 200));
    const r = run(['-e', 'software:cpu-clock:1000000 { @[pid] = count(); if (@[pid] == 20) { exit(); } }', '-p', String(busy.pid)]);
    assert.is(r.status, 0, r.stderr);
    assert.equal(lines(r.stdout).filter((l) => l.startsWith('@[')), [`@[${busy.pid}]: 20`]);
  } finally {
    busy.kill('SIGKILL');
  }
});

test('0.26 names fentry in a missing function, and reads a hex-looking name (bad) as a function', () => {
  assert.match(run(['-e', 'fentry:vfs_read,fentry:nonsense_zz { exit(); }']).stderr, /ERROR: No matches for fentry nonsense_zz\.$/m);
  const bad = run(['-e', 'kprobe:vfs_read, kprobe:bad { exit(); }']);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /WARNING: bad is not traceable/);
  assert.match(bad.stderr, /ERROR: No matches for kprobe bad\.$/m);
});

test.run();
