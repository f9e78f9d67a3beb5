// Probes and command line of bpftrace 0.21 … 0.26: lowercase begin/end (several of each),
// self:signal:SIGUSR1, test:/bench: probes with --test/--bench, --probe-filter, getopt() with
// `-- --name=value`, -k as 0.23+ reads it, fentry/fexit names, kprobe:MODULE:FUNC and
// rawtracepoint `args` from BTF. Real runs with checked output; kprobe and fentry programs go
// through the verifier here (and attach in the VM lane, test/kernel/).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from './child';
import { compile } from '../src/compile';
import { BIN, assertVerifies, bpfscript, renamedFixture, scratchPath } from './helpers';
import { writeFileSync } from 'node:fs';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

useLibbpfFeatureProbes();

const run = (args: string[]) => bpfscript(['--no-cache', ...args], { timeoutMs: 30_000 });
const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

test('begin/end in lower case; several of each run in the order written (0.26)', () => {
  const r = run(['--compat', '0.26', '-e', 'begin { printf("a %s\\n", probe); } BEGIN { printf("b\\n"); } end { printf("e1\\n"); } END { printf("e2 %s\\n", probe); }']);
  assert.is(r.stderr, 'Attached 4 probes\n');
  assert.is(r.status, 0);
  // Nothing but begin/end: bpftrace 0.21+ ends by itself.
  assert.match(r.stdout, /^a begin\nb\ne1\ne2 end\n/);
});

test('0.17 keeps its spelling in `probe` and still refuses a second BEGIN', () => {
  const r = run(['-e', 'begin { printf("%s\\n", probe); exit(); }']);
  assert.is(r.stdout, 'Attaching 1 probe...\nBEGIN\n\n\n');
  const twice = run(['-e', 'BEGIN { exit(); } begin { }']);
  assert.is(twice.status, 1);
  assert.match(twice.stderr, /ERROR: More than one BEGIN probe defined/);
});

test('begin takes no arguments', () => {
  const r = run(['--compat', '0.26', '-e', 'begin:foo { }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /ERROR: BEGIN takes no arguments/);
});

/** Starts bpfscript, sends SIGUSR1 `times` times once it is attached, then SIGINT; returns its output. */
function withSignals(args: string[], times: number): Promise<{ stdout: string; stderr: string; status: number | null }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, '--no-cache', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    // 0.17 says "Attaching" on stdout before attaching, 0.26 "Attached" on stderr after.
    const attached = async () => {
      if (sent || !(stdout.includes('Attaching') || stderr.includes('Attached'))) return;
      sent = true;
      for (let i = 0; i < times; i++) {
        await new Promise((r) => setTimeout(r, 300));
        p.kill('SIGUSR1');
      }
      await new Promise((r) => setTimeout(r, 500));
      p.kill('SIGINT');
    };
    p.stdout.on('data', (d) => {
      stdout += d;
      void attached();
    });
    p.stderr.on('data', (d) => {
      stderr += d;
      void attached();
    });
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status });
    });
  });
}

test('self:signal:SIGUSR1 probes run in order each time bpfscript receives SIGUSR1', async () => {
  const r = await withSignals(['-e', 'self:signal:SIGUSR1 { @n = count(); printf("first %d\\n", @n); } self:signal:SIGUSR1 { printf("second\\n"); }'], 2);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 2 probes...\nfirst 1\nsecond\nfirst 2\nsecond\n\n\n@n: 2\n');
});

test('under 0.26 SIGUSR1 no longer prints the maps when the script has no self probe', async () => {
  const r = await withSignals(['--compat', '0.26', '-e', 'interval:ms:50 { @ticks = 1; }'], 1);
  assert.is(r.stdout.match(/@ticks: 1/g)?.length, 1, r.stdout);
  const old = await withSignals(['-e', 'interval:ms:50 { @ticks = 1; }'], 1);
  assert.is(old.stdout.match(/@ticks: 1/g)?.length, 2, old.stdout);
});

test('self probes take only signal:SIGUSR1, and -l lists that one', () => {
  assert.is(run(['-l', 'self:*']).stdout, 'self:signal:SIGUSR1\n');
  assert.not.match(run(['-l']).stdout, /^self:/m);
  const bad = run(['-e', 'self:signal:SIGUSR2 { }']);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /ERROR: SIGUSR2 is not a supported signal/);
  assert.match(run(['-e', 'self:timer:SIGUSR1 { }']).stderr, /ERROR: timer is not a supported trigger/);
});

test('--test runs each test: probe once, shows the output of failing ones only, and sets the status', () => {
  const script = 'begin { printf("begin\\n"); } test:okay { printf("hidden\\n"); @ran = count(); } test:failing { printf("shown %d\\n", 42); @x[1] = 1; $v = @x[2]; } end { printf("end\\n"); }';
  // Under 0.26, -k reports the failed lookup: a runtime error, which fails its test.
  const r = run(['--compat', '0.26', '-k', '--test', '-e', script]);
  const lines = r.stdout.split('\n');
  assert.is(lines[0], 'begin');
  assert.is(lines[1], `${GREEN}[==========]${RESET} Running 2 tests.`);
  assert.is(lines[2], `${GREEN}[ RUN      ]${RESET} okay`);
  assert.match(lines[3], /^\x1b\[32m\[       OK \]\x1b\[0m okay \(\d+ (ns|\xce\xbcs|\u03bcs|ms)\)$/);
  assert.is(lines[4], `${GREEN}[ RUN      ]${RESET} failing`);
  assert.is(lines[5], 'shown 42');
  assert.match(r.stderr, /WARNING: Can't lookup map element because it does not exist\.\nAdditional Info - helper: map_lookup_elem, retcode: 0\n/);
  assert.ok(r.stdout.includes(`${RED}[  FAILED  ]${RESET} failing (`), r.stdout);
  assert.ok(r.stdout.includes(`${GREEN}[==========]${RESET} 2 tests ran.\n${GREEN}[  PASSED  ]${RESET} 1 test.\n${RED}[  FAILED  ]${RESET} 1 test, listed below:\n${RED}[  FAILED  ]${RESET} failing\nend\n`), r.stdout);
  assert.ok(!r.stdout.includes('\nhidden\n'), 'a passing test is quiet');
  assert.is(r.status, 1);
  assert.ok(!r.stdout.includes('Attach'), 'no "Attaching" line in test mode');
  assert.not.match(r.stdout, /^@(ran|x)/m, 'no maps printed after a test run');
  // Without -k the lookup is not reported: both pass.
  const quiet = run(['--compat', '0.26', '--test', '-e', script]);
  assert.is(quiet.status, 0);
  assert.ok(quiet.stdout.includes(`${GREEN}[  PASSED  ]${RESET} 2 tests.\nend\n`), quiet.stdout);
});

test('test and bench probes are ignored without their mode, and alone they say which flag runs them', () => {
  const r = run(['-e', 'begin { printf("hi\\n"); exit(); } test:t { printf("no\\n"); } bench:b { }']);
  assert.is(r.stdout, 'Attaching 1 probe...\nhi\n\n\n');
  const alone = run(['-e', 'test:t { }']);
  assert.is(alone.status, 1);
  assert.match(alone.stderr, /ERROR: No probes attached; use --test to run test probes\./);
  const dup = run(['--test', '-e', 'test:t { } test:t { }']);
  assert.match(dup.stderr, /ERROR: "t" was used as the name for more than one test probe/);
  assert.match(run(['--test', '-e', 'test { }']).stderr, /ERROR: test probes must have a name/);
});

test('--bench (and --mode bench) prints bpftrace\'s table of mean ns per run for each bench: probe', () => {
  for (const flag of [['--bench'], ['--mode', 'bench']]) {
    const r = run([...flag, '-e', 'begin { printf("begin\\n"); } bench:count { @c = count(); } bench:my_loop { $a = 0; unroll(10) { $a++; } @b = $a; } end { printf("@c>0: %d\\n", @c > 0); clear(@c); clear(@b); }']);
    assert.is(r.stderr, '');
    assert.is(r.status, 0);
    const lines = r.stdout.split('\n');
    assert.is(lines[0], 'begin');
    assert.is(lines[1], `${'Benchmark'.padEnd(41)}${'Time(ns)'.padEnd(15)}Iterations`);
    assert.is(lines[2], '-'.repeat(66));
    assert.match(lines[3], /^count {36}\d+ +\d+$/);
    assert.match(lines[4], /^my_loop {34}\d+ +\d+$/);
    // Repeated until at least 1 ms of runs: iterations × mean ≥ 1 ms.
    const [, ns, iters] = /(\d+) +(\d+)$/.exec(lines[3])!;
    assert.ok(Number(ns) * Number(iters) >= 1e6 * 0.9, lines[3]);
    assert.is(lines[5], '@c>0: 1');
  }
  const clash = run(['--bench', '--test', '-e', 'bench:a { }']);
  assert.match(clash.stderr, /ERROR: USAGE: --(test|bench) conflicts with existing --mode/);
});

test('-f json: one benchmark_result or test_result line per probe, as bpftrace 0.25+ writes them', () => {
  const b = run(['-q', '-f', 'json', '--mode', 'bench', '-e', 'bench:a { @a++; } bench:b { @b++; }']);
  assert.match(b.stdout, /^\{"type": "benchmark_result", "data": \{"a": \{"average": \d+, "iters": \d+\}\}\}\n\{"type": "benchmark_result", "data": \{"b": \{"average": \d+, "iters": \d+\}\}\}\n$/);
  const t = run(['-f', 'json', '--compat', '0.26', '-k', '--test', '-e', 'test:ok { } test:bad { @x[1] = 1; $v = @x[2]; }']);
  assert.is(t.status, 1);
  const lines = t.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.map((l) => [l.type, Object.keys(l.data)[0], Object.values(l.data as Record<string, { passed: boolean }>)[0].passed]), [['test_result', 'ok', true], ['test_result', 'bad', false]]);
  assert.match(lines[1].data.bad.output, /map_lookup_elem/);
});

test('--probe-filter attaches only the probes whose name matches; BEGIN and END always run', () => {
  const one = run(['--probe-filter', ':200', '-e', 'interval:ms:100 { printf("bad\\n"); exit(); } interval:ms:200 { printf("hit\\n"); exit(); }']);
  assert.is(one.stdout, 'Attaching 1 probe...\nhit\n\n\n');
  const ends = run(['--probe-filter', 'interval:ms:(200|300)', '-e', 'BEGIN { printf("begin\\n"); } interval:ms:100 { printf("bad\\n"); exit(); } interval:ms:200 { printf("a\\n"); } interval:ms:300 { printf("b\\n"); exit(); } END { printf("end\\n"); }']);
  assert.ok(!ends.stdout.includes('bad'), ends.stdout);
  assert.match(ends.stdout, /^Attaching 4 probes\.\.\.\nbegin\n(a\n)+b\nend\n/);
  const none = run(['--probe-filter', 'nonexistent_probe_xyz_42', '-e', 'interval:ms:100 { exit(); }']);
  assert.is(none.status, 1);
  assert.match(none.stderr, /ERROR: No probes to attach/);
  // Test probes are filtered too: one test runs.
  const oneTest = run(['--test', '--probe-filter', 'test:b', '-e', 'test:a { } test:b { }']);
  assert.ok(oneTest.stdout.includes('Running 1 test.') && oneTest.stdout.includes(' b\n'), oneTest.stdout);
  const bad = run(['--probe-filter', '[invalid', '-e', 'interval:ms:100 { exit(); }']);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /ERROR: Invalid --probe-filter regex '\[invalid'/);
});

test('getopt(): named options after --, typed by their default, next to positionals', () => {
  const a = run(['-e', 'BEGIN { print((getopt("aa", 20), getopt("bb", -1), getopt("ee", "hello"))); if (getopt("dd")) { printf("dd\\n"); } if (getopt("zz")) { } else { printf("no zz\\n"); } exit(); }', '--', '--dd', '--aa=0xffffffffffffffff', '--bb=-10']);
  assert.is(a.stderr, '');
  assert.is(a.stdout, 'Attaching 1 probe...\n(18446744073709551615, -10, hello)\ndd\nno zz\n\n\n');
  const b = run(['-e', 'BEGIN { print(($1, getopt("aa", 10), getopt("bb", -1), $2, getopt("cc", "hello"))); exit(); }', 'pos1', '--', '--aa=20', '--bb=5', '--cc=bye', 'pos2']);
  assert.is(b.stdout, 'Attaching 1 probe...\n(pos1, 20, 5, pos2, bye)\n\n\n');
  const c = run(['-e', 'BEGIN { if (getopt("cc", true)) { printf("on\\n"); } else { printf("off\\n"); } exit(); }', '--', '--cc=False']);
  assert.is(c.stdout, 'Attaching 1 probe...\noff\n\n\n');
});

test('getopt(): bad values, unknown options and --help answer with bpftrace\'s words', () => {
  const wrong = run(['-e', 'BEGIN { print(getopt("aa", 10)); exit(); }', '--', '--aa=False']);
  assert.is(wrong.status, 1);
  assert.match(wrong.stderr, /ERROR: program command line option --aa invalid integer \(value: False\)/);
  const unknown = run(['-e', 'BEGIN { print(getopt("aa", 10)); exit(); }', '--', '--bb']);
  assert.is(unknown.status, 1);
  assert.match(unknown.stderr, /ERROR: unexpected program command line options: --bb\nHINT: expected program options: --aa\n/);
  const help = run(['-e', 'BEGIN { print((getopt("aa", 10, "Description of aa"), getopt("bb", 1), getopt("cc"))); exit(); }', '--', '--help']);
  assert.is(help.status, 1);
  assert.match(help.stderr, /HINT: expected program options:\n--aa: Description of aa\n--bb\n--cc\n/);
  // Without getopt, bpftrace 0.17 reads `--x` after `--` as a positional.
  const old = run(['-e', 'BEGIN { printf("%s\\n", str($1)); exit(); }', '--', '--x']);
  assert.is(old.stdout, 'Attaching 1 probe...\n--x\n\n\n');
});

test('-k as bpftrace 0.23+ reads it under 0.26: map lookups reported; -kk refused', () => {
  const prog = 'BEGIN { @m[1] = 1; $x = @m[2]; clear(@m); exit(); }';
  assert.match(run(['--compat', '0.26', '-k', '-e', prog]).stderr, /WARNING: Can't lookup map element because it does not exist\./);
  assert.not.match(run(['--compat', '0.26', '-e', prog]).stderr, /WARNING/);
  const kk = run(['--compat', '0.26', '-kk', '-e', prog]);
  assert.is(kk.status, 1);
  assert.match(kk.stderr, /ERROR: USAGE: -kk has been deprecated\. Use a single -k/);
  // 0.17: -k watches only updates and deletes, -kk lookups too.
  assert.not.match(run(['-k', '-e', prog]).stdout, /WARNING/);
  assert.match(run(['-kk', '-e', prog]).stdout, /WARNING: Failed to map_lookup_elem: 0/);
});

test('rawtracepoint args are the event\'s parameters, typed from BTF (pointers to structs too)', () => {
  const w = renamedFixture('syscalls');
  const r = run(['-e', `rawtracepoint:sys_enter /comm == "${w.comm}" && args.id == 110/ { @[args.id == arg1, args.regs->orig_ax] = count(); }`, '-c', `${w.path} 5`]);
  assert.is(r.stderr, '');
  assert.match(r.stdout, /@\[1, 110\]: 5\n/, 'getppid is syscall 110 on x86-64: args.id == arg1 == regs->orig_ax');
  const sw = run(['-e', 'rawtracepoint:sched_switch { @ok = count(); if (args.prev->pid == 0 || args.next->pid >= 0) { exit(); } }']);
  assert.is(sw.stderr, '');
  assert.match(sw.stdout, /@ok: \d+/);
  // -lv lists them, without the stub's private-data pointer and with no retval (bpftrace 0.21+).
  assert.is(run(['-lv', 'rawtracepoint:sched_switch']).stdout, 'rawtracepoint:sched_switch\n    bool preempt\n    struct task_struct * prev\n    struct task_struct * next\n    unsigned int prev_state\n');
  const bad = run(['-e', 'rawtracepoint:sched_switch { print(args.nope); }']);
  assert.match(bad.stderr, /has no argument named 'nope'/);
  assert.match(bad.stderr, /prev/);
});

test('rawtracepoint wildcards expand over the events; a module glob must match the kernel (0.21+)', () => {
  const names = (src: string) => compile(src, { file: 't.bt' }).meta.probes.map((p) => p.name);
  assert.equal(names('rawtracepoint:sys_e* { @ = count(); }'), ['rawtracepoint:sys_enter', 'rawtracepoint:sys_exit']);
  assert.equal(names('rawtracepoint:vmlinu*:sys_exit { @ = count(); }'), ['rawtracepoint:sys_exit']);
  const r = run(['-e', 'rawtracepoint:sys_e* { @[probe] = count(); } interval:ms:300 { exit(); }']);
  assert.match(r.stdout, /^Attaching 3 probes\.\.\.\n\n\n@\[rawtracepoint:sys_e(nter|xit)\]: \d+\n@\[rawtracepoint:sys_e(nter|xit)\]: \d+\n$/);
  const bad = run(['--emit-elf', '/dev/null', '-e', 'rawtracepoint:nonsense:sys_ex* { }']);
  assert.match(bad.stderr, /ERROR: No matches for rawtracepoint nonsense:sys_ex\*/);
});

test('fentry/fexit are the 0.26 names of kfunc/kretfunc, in `probe` and -l too (this kernel refuses fentry at load: they attach in the VM lane)', () => {
  const names = (src: string, dialect?: '0.26') => compile(src, { file: 't.bt', ...(dialect ? { dialect } : {}) }).meta.probes.map((p) => p.name);
  assert.equal(names('kfunc:vfs_read { } fexit:vfs_read { }', '0.26'), ['fentry:vmlinux:vfs_read', 'fexit:vmlinux:vfs_read']);
  assert.equal(names('fentry:vfs_read { } kretfunc:vfs_read { }'), ['kfunc:vmlinux:vfs_read', 'kretfunc:vmlinux:vfs_read']);
  // -l lists them so too.
  assert.is(run(['--compat', '0.26', '-l', 'fexit:vfs_read']).stdout, 'fexit:vmlinux:vfs_read\n');
  assert.is(run(['-l', 'fexit:vfs_read']).stdout, 'kretfunc:vmlinux:vfs_read\n');

});

test('kprobe:MODULE:FUNC: the function must be the module\'s (vmlinux: the kernel\'s own)', () => {
  const gen = compile('kprobe:vmlinux:vfs_read { @[probe] = count(); }', { file: 't.bt' });
  assert.equal(gen.meta.probes.map((p) => p.attach), [gen.meta.probes[0].attach]);
  assertVerifies(gen.elf, 'kprobe:vmlinux:vfs_read loads');
  const bad = run(['--emit-elf', '/dev/null', '-e', 'kprobe:nosuchmod:vfs_read { }']);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /ERROR: No matches for kprobe nosuchmod:vfs_read/);
});

/** bpfscript as user nobody with these capabilities (setpriv keeps them across exec as ambient ones). */
function asNobody(caps: string[], args: string[]) {
  const set = caps.map((c) => `+${c}`).join(',');
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...(caps.length ? [`--inh-caps=${set}`, `--ambient-caps=${set}`] : []), process.execPath, BIN, '--no-cache', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

test('capabilities instead of root: CAP_BPF, CAP_PERFMON and the two DAC ones are enough; a missing one is named', () => {
  const prog = ['-e', 'tracepoint:syscalls:sys_enter_getppid { @ = count(); } interval:ms:200 { printf("ran\\n"); exit(); }'];
  const ok = asNobody(['bpf', 'perfmon', 'dac_read_search', 'dac_override'], prog);
  assert.is(ok.stderr, '');
  assert.match(ok.stdout, /^Attaching 2 probes\.\.\.\nran\n/);
  const noPerfmon = asNobody(['bpf', 'dac_read_search', 'dac_override'], prog);
  assert.is(noPerfmon.status, 1);
  assert.match(noPerfmon.stderr, /^ERROR: bpfscript is missing the CAP_PERFMON capability to load BPF programs\nHINT: run it as root, or give it CAP_BPF, CAP_PERFMON/);
  // CAP_SYS_ADMIN stands for CAP_BPF and CAP_PERFMON, as the kernel lets it.
  assert.is(asNobody(['sys_admin', 'dac_read_search', 'dac_override'], prog).status, 0);
  const none = asNobody([], prog);
  assert.match(none.stderr, /^ERROR: bpfscript must run as root to load BPF programs\n/);
});

test('a probe may be named NAME=provider:… (bpftrace 0.25+); the name is kept by --fmt only', () => {
  const r = run(['-e', 'first=interval:ms:50 { printf("%s\\n", probe); exit(); }']);
  assert.is(r.stdout, 'Attaching 1 probe...\ninterval:ms:50\n\n\n');
  const file = scratchPath('named.bt');
  writeFileSync(file, 'a=BEGIN,b=interval:s:1 { exit(); }');
  assert.is(run(['--fmt', file]).stdout, 'a=BEGIN,\nb=interval:s:1\n{\n  exit();\n}\n');
});

test.run();
