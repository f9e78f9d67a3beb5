// --metrics: how long a Prometheus scrape of a 100,000-key map takes, and what the exporter costs
// while nobody scrapes it, beside bpftrace running the same script (which exports nothing).

import { freePort } from '../../test/ports';
import { join } from 'node:path';
import { spawn, spawnSync } from '../../test/child';
import { median, fmt } from '../lib/stats';
import { runLive, SCRATCH } from '../lib/run';
import { sleepMs } from '../lib/live';
import { storm, STORM_COMM } from '../lib/storm';
import { bpfscript, bpftrace } from '../lib/tools';
import { usage } from './idle';
import type { BenchConfig, Section } from '../lib/report';

const KEYS = 100_000;
/** One key per getppid() of the storm (syscall 110 on x86-64). */
const FILL = `config = { max_map_keys = ${KEYS + 10_000} } tracepoint:raw_syscalls:sys_enter /comm == "${STORM_COMM}" && args->id == 110/ { @m[nsecs] = count(); }`;
/** acct(2) is never called here: the probe never fires, the map stays empty. */
const IDLE = 'tracepoint:syscalls:sys_enter_acct { @n[comm] = count(); }';
const SETTLE_MS = 1000;

/** GET url as Prometheus asks for it, in a child (runLive's callback is synchronous): ms, and lines with labels. */
function scrape(url: string): { ms: number; lines: number } {
  const js = `const t=process.hrtime.bigint();fetch(${JSON.stringify(url)},{headers:{accept:'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5'}}).then(r=>r.text()).then(b=>console.log(Number(process.hrtime.bigint()-t)/1e6,b.split('\\n').filter(l=>l.includes('{')).length))`;
  const r = spawnSync(process.execPath, ['-e', js], { encoding: 'utf8', timeout: 60_000 });
  const [ms, lines] = r.stdout.trim().split(' ').map(Number);
  if (!Number.isFinite(ms)) throw new Error(`scrape of ${url} failed: ${r.stderr}`);
  return { ms, lines };
}

export async function metrics(cfg: BenchConfig): Promise<Section> {
  const cache = { BPFSCRIPT_CACHE_DIR: join(SCRATCH, 'cache') };
  const scrapes: number[] = [];
  const scrapeCpu: number[] = [];
  let series = 0;
  // The big scrape: fill once, then scrape reps times (each read afresh from the kernel).
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/metrics`;
  const run = await runLive(bpfscript(cache), ['--metrics', `127.0.0.1:${port}`, '-e', FILL], 1, (pid) => {
    storm(KEYS);
    sleepMs(200);
    scrape(url); // the first one also loads prom-client
    for (let r = 0; r < cfg.reps; r++) {
      const before = usage(pid);
      const s = scrape(url);
      scrapeCpu.push((usage(pid).cpuNs - before.cpuNs) / 1e6);
      scrapes.push(s.ms);
      series = s.lines;
    }
  });
  if (!Number.isFinite(run.liveMs)) throw new Error(`bpfscript never attached: ${run.stderr}`);
  // Labelled lines of the exposition: one per key (the health series have no labels).
  const keys = series;

  // Idle: CPU and wakeups over a window with no scrape (after one), beside bpftrace; and the
  // exporter scraped every second, for scale.
  const windowMs = cfg.quick ? 3000 : 5000;
  const rounds = cfg.quick ? 1 : 3;
  const rows = [
    { label: 'bpfscript --metrics, not scraped', tool: bpfscript(cache), metrics: true, scraper: false },
    { label: 'bpfscript --metrics, scraped every 1 s', tool: bpfscript(cache), metrics: true, scraper: true },
    { label: 'bpftrace (no exporter)', tool: bpftrace(), metrics: false, scraper: false },
  ];
  const cpu = rows.map(() => [] as number[]);
  const wakeups = rows.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < rows.length; k++) {
      const i = (k + r) % rows.length;
      const row = rows[i];
      const p = await freePort();
      const u = `http://127.0.0.1:${p}/metrics`;
      const res = await runLive(row.tool, [...(row.metrics ? ['--metrics', `127.0.0.1:${p}`] : []), '-e', IDLE], 1, (pid) => {
        sleepMs(SETTLE_MS);
        if (row.metrics) scrape(u);
        const scraper = row.scraper ? spawn(process.execPath, ['-e', `setInterval(()=>fetch(${JSON.stringify(u)}).then(r=>r.text()),1000)`], { stdio: 'ignore', timeout: windowMs + 30_000 }) : undefined;
        try {
          sleepMs(200);
          const a = usage(pid);
          sleepMs(windowMs);
          const b = usage(pid);
          cpu[i].push(((b.cpuNs - a.cpuNs) / (windowMs * 1e6)) * 100);
          wakeups[i].push(((b.switches - a.switches) * 1000) / windowMs);
        } finally {
          scraper?.kill('SIGKILL');
        }
      });
      if (!Number.isFinite(res.liveMs)) throw new Error(`${row.tool.name} never attached: ${res.stderr}`);
    }
  }
  const s = median(scrapes);
  const sc = median(scrapeCpu);
  const idleCpu = rows.map((_, i) => median(cpu[i]));
  const idleWake = rows.map((_, i) => median(wakeups[i]));
  return {
    title: 'Prometheus endpoint (--metrics)',
    method: `Scrape: a map filled with ${KEYS.toLocaleString('en')} keys by a storm of getppid() (\`${FILL}\`), then GET /metrics as Prometheus asks (OpenMetrics), timed by the client from request to the last byte, and the exporter's CPU time over it (all its threads, schedstat), which another load on the machine moves less; ${cfg.reps} scrapes after a first one, median; ${keys.toLocaleString('en')} series came back. Idle: \`${IDLE}\` (never fires), ${fmt(SETTLE_MS / 1000)} s after the probe is live and one scrape, CPU time on core and context switches of all the tool's threads over ${windowMs / 1000} s (as in the idle suite); median of ${rounds} interleaved rounds.`,
    columns: ['measure', 'tool', 'value'],
    rows: [
      ['scrape of 100,000 keys: wall time', 'bpfscript', `${fmt(s)} ms`],
      ['scrape of 100,000 keys: CPU time of the exporter', 'bpfscript', `${fmt(sc)} ms`],
      ...rows.flatMap((row, i) => [[`idle CPU % of a core`, row.label, fmt(idleCpu[i], 2)], [`idle wakeups/s`, row.label, fmt(idleWake[i], 2)]]),
    ],
    targets: [
      { target: 'scrape of a 100,000-key map < 0.5 s', value: `${fmt(s)} ms, ${keys.toLocaleString('en')} series`, met: s < 500 && keys === KEYS },
      { target: "exporter's idle CPU between scrapes ≤ bpftrace's idle CPU", value: `${fmt(idleCpu[0], 2)}% vs ${fmt(idleCpu[2], 2)}%`, met: idleCpu[0] <= idleCpu[2] },
    ],
  };
}
