// --metrics: a real Prometheus (Debian's prometheus package) scrapes `bpfscript --metrics` while a
// workload with a comm of this run's own makes a known number of writes of known sizes; its HTTP
// API must then answer exactly the workload's counts and bucket values. promtool checks the
// exposition; the config block's metrics_* settings are checked at compile time.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from './ports';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn, spawnSync, type ChildProcess } from './child';
import { BIN, bpfscript, leakedPrograms, renamedFixture, scratchPath } from './helpers';

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';

test.after.each(() => {
  assert.equal(leakedPrograms(), []);
});

/** A port nobody listens on now (Prometheus needs one given; bpfscript is given port 0). */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something, for at most `ms`. */
async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

interface Exporting {
  proc: ChildProcess;
  url: string;
  stderr: () => string;
  stdout: () => string;
  /** Sends SIGTERM and resolves with the exit status. */
  stop(): Promise<number | null>;
}

/** `bpfscript --metrics 127.0.0.1:0 SCRIPT`, once it says where it serves. */
async function exporting(script: string): Promise<Exporting> {
  const file = scratchPath(`metrics-${Date.now()}.bt`);
  writeFileSync(file, script);
  return exportingWith(['--metrics', '127.0.0.1:0', file]);
}

/** bpfscript with `args`, once it says where it serves. */
async function exportingWith(args: string[]): Promise<Exporting> {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000 });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  const closed = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
  const url = await until('bpfscript to serve', 30_000, async () => /Serving the maps at (http:\S+)/.exec(err)?.[1]);
  return {
    proc,
    url,
    stderr: () => err,
    stdout: () => out,
    stop: () => {
      proc.kill('SIGTERM');
      return closed;
    },
  };
}

async function get(url: string, accept?: string): Promise<{ status: number; type: string; body: string }> {
  const r = await fetch(url, { headers: accept ? { Accept: accept } : {}, signal: AbortSignal.timeout(10_000) });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() };
}

/** Prometheus on loopback, scraping `target` every second, with its own storage directory. */
async function prometheus(target: string): Promise<{ query(q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscript-prom-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    ['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', 'scrape_configs:', '  - job_name: bpfscript', '    static_configs:', `      - targets: ['${target}']`, ''].join('\n'),
  );
  const proc = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  let log = '';
  proc.stderr!.on('data', (d) => (log += d));
  const closed = new Promise<void>((r) => proc.on('close', () => r()));
  const api = `http://127.0.0.1:${port}`;
  const stop = async () => {
    proc.kill('SIGTERM');
    await closed;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(`Prometheus to be ready (${log})`, 30_000, async () => ((await get(`${api}/-/ready`)).status === 200 ? true : undefined));
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    async query(q) {
      const r = JSON.parse((await get(`${api}/api/v1/query?query=${encodeURIComponent(q)}`)).body);
      if (r.status !== 'success') throw new Error(`query ${q}: ${JSON.stringify(r)}`);
      return r.data.result;
    },
    stop,
  };
}

test('Prometheus scrapes a counter by comm, a hist() and an lhist() with exactly the workload values', async () => {
  const work = renamedFixture('rwbytes');
  const script = `config = { metrics_labels = "@writes=comm" }
tracepoint:syscalls:sys_enter_write /comm == "${work.comm}"/ { @writes[comm] = count(); @size = hist(args->count); @lin = lhist(args->count, 0, 1000, 100); }`;
  const exp = await exporting(script);
  let prom: Awaited<ReturnType<typeof prometheus>> | undefined;
  try {
    prom = await prometheus(exp.url.replace(/^http:\/\/([^/]+)\/metrics$/, '$1'));
    const p = prom;
    await until('a first scrape', 30_000, async () => ((await p.query('up{job="bpfscript"}'))[0]?.value[1] === '1' ? true : undefined));
    // 7 writes of 1 byte, 5 of 100, 3 of 3000 (rwbytes: N reads of SIZE, then N writes of SIZE).
    for (const [n, size] of [[7, 1], [5, 100], [3, 3000]]) execFileSync(work.path, [String(n), String(size)], { timeout: 10_000 });
    const writes = await until('the workload in Prometheus', 30_000, async () => {
      const r = await p.query('bpfscript_writes_total');
      return r[0]?.value[1] === '15' ? r : undefined;
    });
    assert.equal(writes.map((s) => [s.metric.comm, s.value[1]]), [[work.comm, '15']]);
    const buckets = async (q: string) => Object.fromEntries((await p.query(q)).map((s) => [s.metric.le, Number(s.value[1])]));
    // hist: [1] holds 7, [64, 128) (le 127) 5, [2K, 4K) (le 4095) 3; only the buckets from the
    // lowest to the highest filled one are exposed.
    assert.equal(await buckets('bpfscript_size_bucket'), { '1': 7, '3': 7, '7': 7, '15': 7, '31': 7, '63': 7, '127': 12, '255': 12, '511': 12, '1023': 12, '2047': 12, '4095': 15, '+Inf': 15 });
    assert.equal((await p.query('bpfscript_size_count'))[0].value[1], '15');
    // lhist(0, 1000, 100): [0, 100) 7, [100, 200) 5, [1000, ...) 3.
    const lin = await buckets('bpfscript_lin_bucket');
    assert.equal(lin, { '-1': 0, '99': 7, '199': 12, '299': 12, '399': 12, '499': 12, '599': 12, '699': 12, '799': 12, '899': 12, '999': 12, '+Inf': 15 });
    // Prometheus's own arithmetic over the buckets works: the median write is in (63, 127].
    const median = Number((await p.query('histogram_quantile(0.5, bpfscript_size_bucket)'))[0].value[1]);
    assert.ok(median > 63 && median <= 127, String(median));
    assert.equal((await p.query('bpfscript_exporter_lost_events_total'))[0].value[1], '0');
    assert.equal((await p.query('bpfscript_exporter_map_full_drops_total'))[0].value[1], '0');
  } finally {
    await prom?.stop();
    assert.is(await exp.stop(), 0, exp.stderr());
  }
  // The maps were served, not printed at exit.
  assert.is(exp.stdout(), 'Attaching 1 probe...\n');
});

test('promtool accepts the exposition of every kind of map; OpenMetrics unless the Accept prefers text 0.0.4', async () => {
  const script = `config = { metrics_prefix = "bt_"; metrics_labels = "@t=pid,name" }
BEGIN { @c = count(); @su["a"] = sum(-5); @mn = min(3); @mx[1] = max(9); @a = avg(4); @st["x"] = stats(10); @st["x"] = stats(20);
  @hi = hist(5); @l["q\\"uote"] = lhist(3, 0, 10, 2); @v = 42; @t[7, "n"] = 1; @str[1] = "text"; @stack[1] = kstack; @z[1] = count(); @gone[1] = count(); zero(@z); clear(@gone); }`;
  const exp = await exporting(script);
  try {
    const text = await until('the BEGIN values', 10_000, async () => {
      const r = await get(exp.url, 'text/plain;version=0.0.4;q=0.5,*/*;q=0.1');
      return r.body.includes('bt_z_total{key="1"} 0') ? r : undefined;
    });
    assert.match(text.type, /^text\/plain; version=0\.0\.4/);
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text.body, encoding: 'utf8', timeout: 30_000 });
    assert.is(check.status, 0, `${check.stdout}${check.stderr}\n${text.body}`);
    const om = await get(exp.url);
    assert.match(om.type, /^application\/openmetrics-text; version=1\.0\.0/);
    assert.ok(om.body.endsWith('# EOF\n'));
    for (const line of [
      'bt_c_total 1',
      'bt_su{key="a"} -5',
      'bt_mn 3',
      'bt_mx{key="1"} 9',
      'bt_a 4',
      'bt_st_samples{key="x"} 2',
      'bt_st_average{key="x"} 15',
      'bt_st_summed{key="x"} 30',
      'bt_hi_bucket{le="7"} 1',
      'bt_hi_count 1',
      'bt_l_bucket{key="q\\"uote",le="3"} 1',
      'bt_v 42',
      'bt_t{pid="7",name="n"} 1',
      'bt_str_info{key="1",value="text"} 1',
      'bt_z_total{key="1"} 0',
    ]) {
      assert.ok(om.body.includes(`\n${line}\n`), `${line} in\n${om.body}`);
    }
    // A cleared map has no series left; a stack is its frames joined by ';', innermost first.
    assert.not.match(om.body, /^bt_gone_total\{/m);
    assert.match(om.body, /^bt_stack_info\{key="1",value="[^"\n]*"\} 1$/m);
    assert.is((await get(exp.url.replace('/metrics', '/nothing'))).status, 404);
  } finally {
    assert.is(await exp.stop(), 0, exp.stderr());
  }
});

test('metrics_labels and metrics_prefix are checked against the maps at compile time', () => {
  const cases: [string, RegExp][] = [
    ['config = { metrics_labels = "@count=x" } BEGIN { @counts[1] = count(); }', /no map @count[\s\S]*did you mean @counts/],
    ['config = { metrics_labels = "@m=a" } BEGIN { @m[1, 2] = count(); }', /@m has 2 key parts, 1 label name given/],
    ['config = { metrics_labels = "@m=le" } BEGIN { @m[1] = hist(1); }', /"le" is reserved/],
    ['config = { metrics_labels = "@m=9x" } BEGIN { @m[1] = count(); }', /"9x" is not a Prometheus label name/],
    ['config = { metrics_prefix = "a-b" } BEGIN { @m = count(); }', /metrics_prefix "a-b"/],
    ['config = { metrics_prefix = 3 } BEGIN { @m = count(); }', /must be a string literal/],
    ['config = { metrics_lables = "@m=a" } BEGIN { @m[1] = count(); }', /unknown config variable: metrics_lables[\s\S]*did you mean metrics_labels/],
  ];
  for (const [prog, message] of cases) {
    const r = bpfscript(['--emit-elf', '/dev/null', '-e', prog]);
    assert.is(r.status, 1, prog);
    assert.match(r.stderr, /stdin:1:\d+-\d+: ERROR: /);
    assert.match(r.stderr, message);
  }
});

test('--metrics: a taken port is a one-line error, nothing stays loaded; a bare --metrics before the script file', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (blocker.address() as { port: number }).port;
    const r = bpfscript(['--metrics', `127.0.0.1:${port}`, '-e', 'tracepoint:syscalls:sys_enter_acct { @ = count(); }'], { timeoutMs: 30_000 });
    assert.is(r.status, 1);
    assert.match(r.stderr, new RegExp(`ERROR: --metrics: cannot listen on 127\\.0\\.0\\.1:${port}: the address is in use`));
    assert.not.match(r.stderr, /at .*\.js:\d+/);
  } finally {
    blocker.close();
  }
  const bad = scratchPath('metrics-bad.bt');
  writeFileSync(bad, 'BEGIN { @x = nope(); }');
  const r = bpfscript(['--metrics', bad], { timeoutMs: 30_000 });
  assert.is(r.status, 1);
  assert.match(r.stderr, /metrics-bad\.bt:1:/);
  assert.match(bpfscript(['--metrics', 'a:b:c', '-e', 'BEGIN {}']).stderr, /--metrics a:b:c: not an address/);
});

test('a built artifact serves its maps too (bpfscript run ARTIFACT --metrics), as a fleet runs it', async () => {
  const work = renamedFixture('rwbytes');
  const art = scratchPath(`metrics-artifact-${Date.now()}`);
  const b = bpfscript(['build', '-e', `config = { metrics_labels = "@writes=comm" } tracepoint:syscalls:sys_enter_write /comm == "${work.comm}"/ { @writes[comm] = count(); }`, '-o', art]);
  assert.is(b.status, 0, b.stderr);
  const exp = await exportingWith(['run', art, '--metrics', '127.0.0.1:0']);
  try {
    execFileSync(work.path, ['4', '1'], { timeout: 10_000 });
    const body = await until('the workload in the exposition', 10_000, async () => {
      const r = await get(exp.url);
      return r.body.includes(`bpfscript_writes_total{comm="${work.comm}"} 4`) ? r.body : undefined;
    });
    assert.match(body, /# EOF\n$/);
  } finally {
    assert.is(await exp.stop(), 0, exp.stderr());
  }
  assert.is(exp.stdout(), 'Attaching 1 probe...\n');
});

test.run();
