// What `bpfscript run ARTIFACT` takes at run time beyond positional parameters: getopt() options
// (`-- --name=value`, or `./tool.bpfa --name=value` through its #! line), --test / --bench /
// --mode, --probe-filter; and what it refuses (an undeclared option, a bad value, a compile-time
// flag). Each output is checked against the same script run directly with the same arguments.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawn, spawnSync } from './child';
import { BIN, bpfscript, isRoot } from './helpers';

const scratch = mkdtempSync(join(tmpdir(), 'bpfscript-artifacts-run-'));
const PATH = `${dirname(BIN)}:${dirname(process.execPath)}:${process.env.PATH}`;

function built(name: string, script: string, buildArgs: string[] = []): { art: string; file: string } {
  const file = join(scratch, `${name}.bt`);
  writeFileSync(file, script);
  const art = join(scratch, `${name}.bpfa`);
  const r = bpfscript(['build', ...buildArgs, file, '-o', art]);
  assert.is(r.stderr, '', r.stderr);
  assert.is(r.status, 0);
  return { art, file };
}

const OPTIONS = `BEGIN {
  printf("limit=%d neg=%d verbose=%d name=%s pos=%d\\n", getopt("limit", 10, "how many"), getopt("neg", -5), getopt("verbose"), getopt("name", "x"), $1);
  if (getopt("verbose")) { printf("verbose on\\n"); }
  exit();
}
`;

test('getopt() options are given at run time: defaults, --name=value, --flag, after -- or not, and through the #! line', () => {
  if (!isRoot) return;
  const { art, file } = built('options', OPTIONS);
  const line = (s: string) => `Attaching 1 probe...\n${s}\n\n\n`;
  assert.is(bpfscript(['run', art]).stdout, line('limit=10 neg=-5 verbose=0 name=x pos=0'));
  const given = ['7', '--limit=3', '--verbose', '--name=hello-world', '--neg=-9'];
  const r = bpfscript(['run', art, ...given]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, line('limit=3 neg=-9 verbose=1 name=hello-world pos=7\nverbose on'));
  // The script run with the same options prints the same.
  assert.is(bpfscript(['--no-cache', file, '--', ...given]).stdout, r.stdout);
  assert.is(bpfscript(['run', art, '--', '--limit=0x10', '8', '--verbose=false']).stdout, line('limit=16 neg=-5 verbose=0 name=x pos=8'));
  // A string option longer than the build's string length is cut there, as str($N) is.
  assert.is(bpfscript(['run', art, `--name=${'n'.repeat(80)}`]).stdout, line(`limit=10 neg=-5 verbose=0 name=${'n'.repeat(63)} pos=0`));
  const direct = spawnSync(art, ['--name=shebang', '--limit=2', '5'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, PATH } });
  assert.is(direct.stderr, '');
  assert.is(direct.stdout, line('limit=2 neg=-5 verbose=0 name=shebang pos=5'));
});

test('an artifact refuses options it does not declare and values their defaults\' types cannot take, as a script run does, before loading', () => {
  if (!isRoot) return;
  const { art, file } = built('options-bad', OPTIONS);
  const cases: [string[], RegExp][] = [
    [['--bogus=1'], /^ERROR: unexpected program command line options: --bogus\nHINT: expected program options: --limit: --neg: --verbose: --name\n$/],
    [['--limit=abc'], /^ERROR: program command line option --limit invalid integer \(value: abc\)\n$/],
    [['--limit=-1'], /^ERROR: program command line option --limit value is out of range \(value: -1\)\n$/],
    [['--verbose=maybe'], /^ERROR: program command line option --verbose expects a boolean \(e\.g\. 'true'\) \(value: maybe\)\n$/],
    [['--help'], /^ERROR: --help: the program reads these options\nHINT: expected program options:\n--limit: how many\n--neg\n--verbose\n--name\n$/],
  ];
  for (const [args, want] of cases) {
    const r = bpfscript(['run', art, ...args]);
    assert.is(r.status, 1, args.join(' '));
    assert.is(r.stdout, '');
    assert.match(r.stderr, want);
  }
  // The script run refuses an undeclared option in the same words.
  assert.match(bpfscript(['--no-cache', file, '--', '--bogus=1']).stderr, /ERROR: unexpected program command line options: --bogus\n/);
  // Without getopt() in the program, a --name argument is no option of it.
  const { art: plain } = built('no-options', 'BEGIN { printf("%d\\n", $#); exit(); }');
  const r = bpfscript(['run', plain, '--name=1']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^ERROR: unknown option for bpfscript run: --name=1\nHINT: this artifact reads no getopt\(\) options; arguments after -- are its positional parameters\n$/);
  // After --, as for bpftrace 0.17, it is a positional parameter.
  assert.is(bpfscript(['run', plain, '--', '--name=1']).stdout, 'Attaching 1 probe...\n1\n\n\n');
  // What the build fixed is refused at run time, with where to give it.
  const c = bpfscript(['run', plain, '--compat', '0.26']);
  assert.is(c.status, 1);
  assert.match(c.stderr, /^ERROR: --compat is fixed when the artifact is built: give it to bpfscript build\n/);
});

const MODES = `BEGIN { printf("begin\\n"); }
test:one { printf("test one\\n"); }
test:two { printf("test two\\n"); }
bench:loop { $x = 1; }
interval:ms:100 { printf("tick\\n"); exit(); }
profile:hz:99 { @p = count(); }
END { printf("end\\n"); }
`;

/** Test and bench reports with their timings blanked. */
const timeless = (s: string) => s.replace(/\(\d+ μs\)/g, '(T)').replace(/^(loop +)\d+( +)\d+$/m, '$1T$2N');

test('--test, --bench, --mode and --probe-filter run an artifact\'s probes as they run the script\'s', () => {
  if (!isRoot) return;
  const { art, file } = built('modes', MODES, ['--compat', '0.26']);
  const same = (args: string[]) => {
    const a = bpfscript(['run', art, ...args]);
    const s = bpfscript(['--no-cache', '--compat', '0.26', file, ...args]);
    assert.is(a.status, s.status, `${args.join(' ')}: ${a.stderr}`);
    assert.is(timeless(a.stdout), timeless(s.stdout), args.join(' '));
    assert.is(a.stderr, s.stderr, args.join(' '));
    return a;
  };
  const t = same(['--test']);
  assert.match(t.stdout, /^begin\n.*Running 2 tests\.\n.*one\n.*one \(\d+ μs\)\n.*two\n.*two \(\d+ μs\)\n.*2 tests ran\.\n.*PASSED.* 2 tests\.\nend\n$/);
  const f = same(['--test', '--probe-filter', 'two']);
  assert.match(f.stdout, /Running 1 test\.\n.*two\n/);
  assert.not.match(f.stdout, /one/);
  assert.match(same(['--bench']).stdout, /^begin\nBenchmark +Time\(ns\) +Iterations\n-+\nloop +\d+ +\d+\nend\n$/);
  same(['--mode', 'test']);
  // Filtered to the interval probe: profile is not attached (3 probes: BEGIN, END, interval).
  const i = same(['--probe-filter', '^interval']);
  assert.match(i.stdout, /^begin\ntick\nend\n/);
  assert.is(i.stderr, 'Attached 3 probes\n');
  const bad = bpfscript(['run', art, '--probe-filter', '(']);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /^ERROR: Invalid --probe-filter regex '\(': /);
  const mode = bpfscript(['run', art, '--mode', 'foo']);
  assert.is(mode.status, 1);
  assert.match(mode.stderr, /^ERROR: USAGE: --mode can only be 'test' or 'bench', got 'foo'\n/);
});

test('-p is read and refused as a script run reads it, in the words of the artifact\'s dialect', () => {
  if (!isRoot) return;
  const script = 'BEGIN { printf("ok\\n"); exit(); }';
  for (const compat of ['0.17', '0.26']) {
    const { art, file } = built(`pid-${compat}`, script, ['--compat', compat]);
    for (const bad of ['abc', '12x', '0', '99999999']) {
      const a = bpfscript(['run', art, '-p', bad]);
      const s = bpfscript(['--no-cache', '--compat', compat, file, '-p', bad]);
      assert.is(a.status, 1, `${compat} -p ${bad}`);
      assert.is(a.stderr, s.stderr, `${compat} -p ${bad}`);
    }
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const r = bpfscript(['run', art, '-p', String(sleeper.pid)]);
      assert.is(r.status, 0, r.stderr);
      assert.match(r.stdout, /ok\n/);
    } finally {
      sleeper.kill();
    }
  }
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test.run();
