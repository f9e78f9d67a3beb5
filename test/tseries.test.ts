// tseries() (bpftrace 0.24+) in the kernel. Deterministic runs take their time from a map through
// bpftrace's own test hook (BPFTRACE_DUMMY_TS_MAP=@ts) and write every value from BEGIN, which runs
// once; with TZ=UTC their timestamps are fixed. One run on the real clock checks the layout by regex.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bpfscript, leakedPrograms } from './helpers';

test.after(() => {
  assert.equal(leakedPrograms(), []);
});

const FAKE_CLOCK = { BPFSCRIPT_CACHE: '0', BPFTRACE_DUMMY_TS_MAP: '@ts', TZ: 'UTC' };

function run(args: string[], env: Record<string, string> = FAKE_CLOCK): { out: string; err: string; status: number | null } {
  const r = bpfscript(args, { timeoutMs: 30_000, env });
  return { out: r.stdout.replace(/^Attaching \d+ probes?\.\.\.\n/, ''), err: r.stderr, status: r.status };
}

/**
 * Twenty values 0..19, two per 100 ms interval from 0.1 s on (epochs 1..10): the newest five
 * intervals hold the pairs (10, 11) … (18, 19).
 */
const twenty = (call: string) =>
  `BEGIN { @ts = (uint64)100ms; $i = (int64)0; while ($i < 20) { ${call}; @ts += 50ms; $i++; } clear(@ts); exit(); }`;

test('the last value of each interval, drawn as bpftrace 0.26 draws it', () => {
  const r = run(['-e', twenty('@a = tseries($i % 10, 100ms, 5)')]);
  assert.is(r.status, 0, r.err);
  const pad = ' '.repeat(13);
  const row = (t: string, at: number, v: number) => {
    const line = [...`|${' '.repeat(51)}|`];
    line[at] = '*';
    return `00:00:${t} ${line.join('')} ${v}\n`;
  };
  const scale = `${'1'.padEnd(21)}${'9'.padStart(32)}`;
  assert.is(
    // Around it: the exit separator, and the line of @ts, cleared.
    r.out.replace(/^\n+/, '').replace(/\n+$/, '\n'),
    '@a:\n' +
      `${pad}${scale}\n` +
      `hh:mm:ss.ms  |${'_'.repeat(51)}|\n` +
      row('00.600', 0, 1) +
      row('00.700', 13, 3) +
      row('00.800', 26, 5) +
      row('00.900', 39, 7) +
      row('01.000', 52, 9) +
      `${pad}v${'_'.repeat(51)}v\n` +
      `${pad}${scale}\n`,
  );
});

test('avg, max, min and sum fold the values of an interval (JSON: interval_start and value)', () => {
  const expected: Record<string, number[]> = {
    avg: [10, 12, 14, 16, 18],
    max: [11, 13, 15, 17, 19],
    min: [10, 12, 14, 16, 18],
    sum: [21, 25, 29, 33, 37],
  };
  for (const [fn, values] of Object.entries(expected)) {
    const r = run(['-f', 'json', '-e', twenty(`@a = tseries($i, 100ms, 5, "${fn}")`)]);
    assert.is(r.status, 0, r.err);
    const line = r.out.split('\n').find((l) => l.includes('"tseries"'));
    assert.ok(line, r.out);
    const data = JSON.parse(line!) as { type: string; data: { '@a': { interval_start: string; value: number }[] } };
    assert.is(data.type, 'tseries');
    assert.equal(
      data.data['@a'],
      values.map((value, i) => ({ interval_start: `1970-01-01 00:00:0${i === 4 ? '1.0' : `0.${6 + i}`}00000000`, value })),
      fn,
    );
  }
});

test('keys share the newest intervals of the map; intervals a key missed show "-"', () => {
  const prog =
    'BEGIN { @ts = (uint64)100ms; $i = 0; while ($i < 3) { @a["one"] = tseries(5, 100ms, 6); @ts += 100ms; $i++; } ' +
    '$i = 0; while ($i < 3) { @a["two"] = tseries(4, 100ms, 6); @ts += 100ms; $i++; } clear(@ts); exit(); }';
  const r = run(['-e', prog]);
  assert.is(r.status, 0, r.err);
  const rows = r.out.split('\n').filter((l) => /^\d\d:/.test(l)).map((l) => `${l.slice(0, 12)} ${l.slice(-2).trim()}`);
  assert.equal(rows, [
    '00:00:00.100 5', '00:00:00.200 5', '00:00:00.300 5', '00:00:00.400 -', '00:00:00.500 -', '00:00:00.600 -',
    '00:00:00.400 4', '00:00:00.500 4', '00:00:00.600 4',
  ]);
  // Least recently updated first.
  assert.ok(r.out.indexOf('@a[one]:\n') < r.out.indexOf('@a[two]:\n'), r.out);
});

test('on the real clock: one interval, its time of day to the nanosecond; zero() leaves no data', () => {
  const r = run(['--compat', '0.26', '-e', 'BEGIN { @a = tseries(-3, 1s, 4, "avg"); @a = tseries(-6, 1s, 4, "avg"); exit(); }'], { BPFSCRIPT_CACHE: '0' });
  assert.is(r.status, 0, r.err);
  assert.match(r.out, /^\n\n@a:\n {19}-5 {49}-3\nhh:mm:ss\.ns {8}\|_{51}\|\n\d\d:\d\d:\d\d\.\d{6}000 \| {25}\* {25}\| -4\n {19}v_{51}v\n {19}-5 {49}-3\n\n$/);
  const z = run(['-f', 'json', '-e', 'BEGIN { @a = tseries(1, 1ms, 5); zero(@a); exit(); }'], { BPFSCRIPT_CACHE: '0' });
  assert.ok(z.out.includes('{"type": "tseries", "data": {"@a": []}}'), z.out);
  const t = run(['-e', 'BEGIN { @a = tseries(1, 1ms, 5); zero(@a); exit(); }'], { BPFSCRIPT_CACHE: '0' });
  assert.is(t.out, '\n\n@a:\n<no data>\n');
});

test('the largest ring (1000 intervals) loads for a keyed map and a keyless one', () => {
  const r = run(['-e', 'BEGIN { @a[1] = tseries(7, 1s, 1000); @b = tseries(8, 1us, 1000, "max"); exit(); }'], { BPFSCRIPT_CACHE: '0' });
  assert.is(r.status, 0, r.err);
  assert.match(r.out, /@a\[1\]:\n(.*\n){2}\d\d:\d\d:\d\d\.000000000 \| {25}\* {25}\| 7\n/);
  assert.match(r.out, /@b:\n(.*\n){2}\d\d:\d\d:\d\d\.\d{6}000 \| {25}\* {25}\| 8\n/);
});

test('bad arguments: a clear message at the argument, exit status 1', () => {
  const cases: [string, RegExp][] = [
    ['@a = tseries(1, 100ms, 5, "median")', /the aggregation must be one of "avg", "max", "min", "sum"/],
    ['@a = tseries(1, $x, 5)', /the interval must be a positive integer literal/],
    ['@a = tseries(1, 100ms, 0)', /the number of intervals must be positive/],
    ['@a = tseries(1, 100ms, 5000)', /too many intervals/],
    ['@a = tseries("x", 100ms, 5)', /expects an integer value, got string/],
    ['@a = tseries(1, 100ms)', /takes 3 or 4 arguments/],
  ];
  for (const [stmt, message] of cases) {
    const r = run(['-e', `BEGIN { $x = 1; ${stmt}; exit(); }`], { BPFSCRIPT_CACHE: '0' });
    assert.is(r.status, 1, stmt);
    assert.match(r.err, message, stmt);
    assert.not.match(r.err, /at .*\.js/, stmt);
  }
});

test.run();
