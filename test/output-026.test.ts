// The 0.26 output dialect (--compat 0.26) in real runs: the session's messages, map printing at
// exit and by print(), and -f json, as bpftrace v0.26.1's runtime tests and its output code
// (src/output/text.cpp, json.cpp) write them. 0.17's output is checked against bpftrace 0.17
// itself in diff.test.ts, output.test.ts and output-bytes.test.ts.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from './child';
import { readFileSync, writeFileSync } from 'node:fs';
import { BIN, bpfscript, renamedFixture, scratchPath } from './helpers';

function run26(args: string[]) {
  return bpfscript(['--compat', '0.26', ...args], { timeoutMs: 60_000 });
}

test('"Attached N probes" goes to stderr; stdout holds the exit dump only', () => {
  const r = run26(['-e', 'BEGIN { @s = stats(1); @s = stats(2); @s = stats(3); exit(); }']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, 'Attached 1 probe\n');
  assert.is(r.stdout, '\n\n@s: { .count = 3, .average = 2, .total = 6 }\n');
  const two = run26(['-e', 'BEGIN { exit(); } END { }']);
  assert.is(two.stderr, 'Attached 2 probes\n');
});

test('-q leaves stderr empty; the same run under the default dialect says "Attaching"', () => {
  assert.is(run26(['-q', '-e', 'BEGIN { exit(); }']).stderr, '');
  const old = bpfscript(['-e', 'BEGIN { exit(); }']);
  assert.is(old.stdout, 'Attaching 1 probe...\n\n\n');
  assert.is(old.stderr, '');
});

test('a program of BEGIN and END probes only ends by itself after BEGIN, as 0.26 does', () => {
  const r = run26(['-e', 'BEGIN { printf("begin\\n"); @x = 1; } END { printf("end\\n"); }']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'begin\nend\n\n\n@x: 1\n');
});

test('stats prints as a record, signed; avg maps end without a blank line', () => {
  const r = run26(['-e', 'BEGIN { @ = stats(-10); @ = stats(-5); @ = stats(5); @a["x"] = avg(10); @a["y"] = avg(30); }']);
  assert.is(r.stdout, '\n\n@: { .count = 3, .average = -3, .total = -10 }\n@a[x]: 10\n@a[y]: 30\n');
});

test('print(@m, top, div) of an avg map: the top entries divided, no blank line after', () => {
  const r = run26(['-e', 'BEGIN { @["a"] = avg(10); @["b"] = avg(20); @["c"] = avg(30); @["d"] = avg(40); print(@, 2, 10); clear(@); }']);
  assert.is(r.stdout, '@[c]: 3\n@[d]: 4\n\n\n');
});

test('histograms: "@h:" with no trailing space, keyed ones "@h[k]:", a blank line after each', () => {
  const r = run26(['-e', 'BEGIN { @ = hist(-1); @ = hist(2); @ = hist(3); @ = hist(7); @ = hist(20); @k["a"] = lhist(3, 0, 10, 2); }']);
  const bar = (n: number) => `${'@'.repeat(n)}${' '.repeat(52 - n)}`;
  const want = [
    '',
    '',
    '@:',
    `(..., 0)               1 |${bar(26)}|`,
    `[0]                    0 |${bar(0)}|`,
    `[1]                    0 |${bar(0)}|`,
    `[2, 4)                 2 |${bar(52)}|`,
    `[4, 8)                 1 |${bar(26)}|`,
    `[8, 16)                0 |${bar(0)}|`,
    `[16, 32)               1 |${bar(26)}|`,
    '',
    '@k[a]:',
    `[2, 4)                 1 |${bar(52)}|`,
    '',
    '',
  ].join('\n');
  assert.is(r.stdout, want);
});

test('lhist labels as 0.26 writes them: [5] for one value, K only when the step is a multiple of 1024', () => {
  const r = run26(['-q', '-e', 'BEGIN { @a = lhist(3, 0, 10, 1); @a = lhist(5, 0, 10, 1); @b = lhist(1100, 0, 4096, 512); @c = lhist(3000, 0, 8192, 1024); exit(); }']);
  const bar = (n: number) => `${'@'.repeat(n)}${' '.repeat(52 - n)}`;
  const want = ['', '', '@a:', `[3]                    1 |${bar(52)}|`, `[4]                    0 |${bar(0)}|`, `[5]                    1 |${bar(52)}|`, '', '@b:', `[1024, 1536)           1 |${bar(52)}|`, '', '@c:', `[2K, 3K)               1 |${bar(52)}|`, '', ''];
  assert.is(r.stdout, want.join('\n'));
});

test('an empty map prints nothing; integer keys keep their signedness', () => {
  const r = run26(['-e', 'BEGIN { @e[1] = 1; delete(@e[1]); @u[(uint64)-1] = 1; @i[-1] = 2; }']);
  assert.is(r.stdout, '\n\n@i[-1]: 2\n@u[18446744073709551615]: 1\n');
});

test('a struct key prints as the struct value does, { .m = 2 }, alone or in a multi-part key', () => {
  const r = run26(['-q', '-e', 'BEGIN { @s[curtask->se.load, 42] = 0; @t[curtask->se.load] = 1; exit(); }']);
  assert.match(r.stdout, /^\n\n@s\[\{ \.weight = \d+, \.inv_weight = \d+ \}, 42\]: 0\n@t\[\{ \.weight = \d+, \.inv_weight = \d+ \}\]: 1\n$/);
  const json = run26(['-q', '-f', 'json', '-e', 'BEGIN { @t[curtask->se.load] = 1; exit(); }']);
  assert.match(json.stdout, /^\{"type": "map", "data": \{"@t": \{"\{\.weight=\d+,\.inv_weight=\d+\}": 1\}\}\}\n$/);
});

test('pointers print in hex; a cleared keyless count() prints nothing (0.17: "@: 0")', () => {
  const r = run26(['-q', '-e', 'BEGIN { print(((int8 *)0x33, 1)); @ = count(); @a[1] = count(); clear(@); clear(@a); exit(); }']);
  assert.is(r.stdout, '(0x33, 1)\n\n\n');
  const old = bpfscript(['-q', '-e', 'BEGIN { print(((int8 *)0x33, 1)); @ = count(); clear(@); exit(); }']);
  assert.is(old.stdout, '(51, 1)\n\n\n@: 0\n');
});

test('--dry-run prints nothing, not even BEGIN\'s output, and succeeds', () => {
  const r = run26(['--dry-run', '-e', 'BEGIN { printf("hello\\n"); @ = 0; }']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '');
  assert.is(r.stderr, '');
});

test('cat(): BPFTRACE_MAX_CAT_BYTES limits it; a missing file in 0.26\'s words', () => {
  const file = scratchPath('cat-026.txt');
  writeFileSync(file, 'xyz\n');
  const r = bpfscript(['--compat', '0.26', '-q', '-e', `i:ms:1 { cat("${file}"); cat("/does/not/exist/file"); exit(); }`], { env: { BPFTRACE_MAX_CAT_BYTES: '1' } });
  assert.is(r.stdout, 'x\n\n');
  assert.is(r.stderr, "ERROR: failed to open file '/does/not/exist/file' (No such file or directory)\n");
});

test('-o FILE: the exit dump\'s blank lines go into the file too, stdout stays empty', () => {
  const file = scratchPath('out-026.txt');
  const r = run26(['-q', '-o', file, '-e', 'BEGIN { @a = 1; exit(); }']);
  assert.is(r.stdout, '');
  assert.is(readFileSync(file, 'latin1'), '\n\n@a: 1\n');
});

test('-f json: attached_probes with a count, no blank lines before the exit dump', () => {
  const r = run26(['-f', 'json', '-e', 'BEGIN { @s = stats(2); @s = stats(10); @m["key1"] = 2; exit(); }']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, '');
  assert.is(
    r.stdout,
    [
      '{"type": "attached_probes", "count": 1, "data": {"probes": 1}}',
      '{"type": "map", "data": {"@m": {"key1": 2}}}',
      '{"type": "stats", "data": {"@s": {"count": 2, "average": 6, "total": 12}}}',
      '',
    ].join('\n'),
  );
});

test('-f json: histograms, multi-part keys without spaces, a zeroed histogram as []', () => {
  const r = run26(['-q', '-f', 'json', '-e', 'BEGIN { @["bpftrace", 2] = hist(2); @["curl", 3] = hist(511); @z = hist(2); zero(@z); }']);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines, [
    { type: 'hist', data: { '@': { 'bpftrace,2': [{ min: 2, max: 3, count: 1 }], 'curl,3': [{ min: 256, max: 511, count: 1 }] } } },
    { type: 'hist', data: { '@z': [] } },
  ]);
});

test('-f json: strerror() and strftime() values are JSON strings, integers past 2^53 too', () => {
  const r = run26(['-q', '-f', 'json', '-e', 'BEGIN { print(strerror(7)); print((1, strftime("%Y", 0))); @big = (uint64)-1; @small = 5; @max = max((1 << 62) + 1); exit(); }']);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines.splice(3, 1)[0], '{"type": "map", "data": {"@max": "4611686018427387905"}}');
  assert.is(lines[0], '{"type": "value", "data": "Argument list too long"}');
  assert.match(lines[1], /^\{"type": "value", "data": \[1,"\d{4}"\]\}$/);
  assert.is(lines[2], '{"type": "map", "data": {"@big": "18446744073709551615"}}');
  assert.is(lines[3], '{"type": "map", "data": {"@small": 5}}');
});

test('-f json: a struct copied by value is an object without inner spaces', () => {
  const r = run26(['-q', '-f', 'json', '-e', 'BEGIN { print(curtask->se.load); exit(); }']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\{"type": "value", "data": \{"weight": \d+, "inv_weight": \d+\}\}\n$/);
});

test('the runtime-test engine\'s notice goes to stdout in 0.26, before the first event', () => {
  const r = bpfscript(['--compat', '0.26', '-q', '-e', 'BEGIN { printf("hi\\n"); exit(); }'], { env: { __BPFTRACE_NOTIFY_PROBES_ATTACHED: '1' } });
  assert.is(r.stdout, '__BPFTRACE_NOTIFY_PROBES_ATTACHED\nhi\n\n\n');
  assert.is(r.stderr, '');
});

test('a failed helper (-k): 0.26\'s words and "Additional Info" on stderr; JSON with msg and filename', () => {
  const text = run26(['-k', '-e', 'i:ms:100 { @[1] = 1; printf("%d\\n", @[2]); exit(); }']);
  assert.is(text.status, 0, text.stderr);
  assert.ok(text.stderr.includes("stdin:1:37-41: WARNING: Can't lookup map element because it does not exist.\nAdditional Info - helper: map_lookup_elem, retcode: 0\n"), text.stderr);
  assert.is(text.stdout, '0\n\n\n@[1]: 1\n');
  const json = run26(['-k', '-q', '-f', 'json', '-e', 'struct foo { int a; }; BEGIN { $tmp = ((struct foo *) 0)->a; exit(); }']);
  // The column is where the member access starts, which the language's spans decide.
  assert.match(json.stdout, /^\{"type": "helper_error", "msg": "Bad address", "helper": "probe_read", "retcode": -14, "filename": "stdin", "line": 1, "col": \d+\}\n$/);
});

test('-f json: histogram buckets unspaced, with 64-bit bounds (0.17 wrapped [2^31, 2^32) to min -2^31)', () => {
  const r = run26(['-q', '-f', 'json', '-e', 'BEGIN { @a = hist(10 * 1024 * 1024 * 1024); @b = hist(3000000000); @b = hist(1500000000); @l = lhist(3, 0, 10, 3); @l = lhist(50, 0, 10, 3); exit(); }']);
  assert.is(
    r.stdout,
    [
      '{"type": "hist", "data": {"@a": [{"min": 8589934592, "max": 17179869183, "count": 1}]}}',
      '{"type": "hist", "data": {"@b": [{"min": 1073741824, "max": 2147483647, "count": 1},{"min": 2147483648, "max": 4294967295, "count": 1}]}}',
      '{"type": "hist", "data": {"@l": [{"min": 3, "max": 5, "count": 1},{"min": 6, "max": 8, "count": 0},{"min": 9, "count": 1}]}}',
      '',
    ].join('\n'),
  );
});

/** Stops bpfscript while the flood workload fires events, so its ring buffer overflows. */
function flooded(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const flood = renamedFixture('flood');
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, '--compat', '0.26', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.stderr.on('data', (d) => (stderr += d));
    p.stdout.on('data', (d) => {
      stdout += d;
      if (started || !stdout.includes('ready')) return;
      started = true;
      p.kill('SIGSTOP');
      spawnSync(flood.path, ['200000'], { timeout: 60_000 });
      p.kill('SIGCONT');
      setTimeout(() => p.kill('SIGINT'), 1000);
    });
    p.on('close', () => {
      clearTimeout(timer);
      resolve({ stdout, stderr });
    });
  });
}

const FLOOD = () => `BEGIN { printf("ready\\n"); } tracepoint:syscalls:sys_enter_getppid /comm == "${renamedFixture('flood').comm}"/ { printf("%d %s\\n", 1, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); }`;

test('lost events: "Lost N events" and the total on stderr in text, "count" in JSON', async () => {
  const text = await flooded(['-e', FLOOD()]);
  assert.match(text.stderr, /^Lost \d+ events$/m);
  assert.match(text.stderr, /^WARNING: Total lost event count: \d+$/m);
  assert.not.match(text.stdout, /Lost/);
  const json = await flooded(['-f', 'json', '-e', FLOOD()]);
  const lost = json.stdout.split('\n').filter((l) => l.includes('"lost_events"'));
  assert.ok(lost.length > 0, json.stdout.slice(-500));
  for (const l of lost) {
    const o = JSON.parse(l);
    assert.is(o.count, o.data.events);
  }
  assert.match(json.stderr, /^WARNING: Total lost event count: \d+$/m);
});

test.run();
