// `npm run bench`: every measure of issue 7, bpfscript and bpftrace side by side in one run, written
// to bench/RESULTS.md and printed. `--quick` runs fewer rounds; `--only NAME[,NAME]` picks suites
// (`--only overhead`: the per-event part alone), written to bench/RESULTS-partial.md, or with
// `--update` into bench/RESULTS.md in place of those suites' sections, keeping the others.

import { execFileSync } from '../test/child';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { renderSection, type BenchConfig, type Section } from './lib/report';
import { bpftraceVersion, ROOT, STRIPPED_ENV } from './lib/tools';
import { artifact } from './suites/artifact';
import { attach } from './suites/attach';
import { compile } from './suites/compile';
import { idle } from './suites/idle';
import { mapprint } from './suites/mapprint';
import { metrics } from './suites/metrics';
import { overhead } from './suites/overhead';
import { probes } from './suites/probes';
import { startup } from './suites/startup';
import { throughput } from './suites/throughput';

const SUITES: Record<string, (cfg: BenchConfig) => Promise<Section>> = { startup, attach, artifact, overhead, throughput, idle, compile, probes, mapprint, metrics };

/** 1/5/15-minute load averages: a shared machine's noise shows in these (2 cores here). */
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

function machine(loadAtStart: string): string {
  const cpu = cpus();
  const llvm = (() => {
    try {
      return execFileSync('sh', ['-c', 'ls /usr/lib/*/libLLVM-*.so.1 | sed "s#.*/##" | tr "\\n" " "'], { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  })();
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpu.length} × ${cpu[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}`,
    `- node ${process.version}; ${bpftraceVersion()}; ${llvm}`,
    `- load average at start: ${loadAtStart}; at end: ${load()} (results are noisier above ~1 on 2 cores)`,
    `- both tools run without ${STRIPPED_ENV.filter((k) => process.env[k] !== undefined).join(', ') || '(nothing removed)'} (see bench/lib/tools.ts: ${STRIPPED_ENV.join(', ')} costs Node 20 ~20-40 ms per start here before any JavaScript runs)`,
  ].join('\n');
}

/**
 * RESULTS.md with the sections of `fresh` (by their `## ` title) in place of the old ones, each
 * saying when it ran on its own, and the rest as they were: a partial run updates the record
 * without pretending the other sections are from this run.
 */
function updateResults(file: string, fresh: string[], loadAtStart: string, only: string[]): string {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const parts = old.split(/^(?=## )/m);
  const titleOf = (sec: string) => sec.split('\n')[0];
  const stamp = `Run on its own (\`npm run bench -- --only ${only.join(",")} --update\`) on ${new Date().toISOString().slice(0, 10)}, load average ${loadAtStart} at start, ${load()} at end.`;
  for (const sec of fresh) {
    const [title, ...rest] = sec.split('\n');
    const stamped = [title, '', stamp, ...rest].join('\n');
    const at = parts.findIndex((p) => titleOf(p) === title);
    if (at >= 0) parts[at] = `${stamped}\n`;
    else parts.push(`${stamped}\n`);
  }
  return parts.join('');
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench: must run as root (both tools load BPF programs)\n');
    process.exit(1);
  }
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const update = argv.includes('--update');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? argv[onlyAt + 1].split(',') : Object.keys(SUITES);
  const cfg: BenchConfig = { quick, reps: quick ? 3 : 5 };
  const sections: string[] = [];
  const loadAtStart = load();
  for (const name of only) {
    const suite = SUITES[name];
    if (!suite) throw new Error(`unknown suite ${name}; known: ${Object.keys(SUITES).join(', ')}`);
    process.stderr.write(`bench: ${name}...\n`);
    const text = renderSection(await suite(cfg));
    process.stdout.write(`${text}\n`);
    sections.push(text);
  }
  const doc = [
    '# bpfscript vs bpftrace: benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts). Ratios are bpfscript / bpftrace: below 1 is better,',
    'except for events/s. Both tools run in the same session, interleaved, medians reported.',
    'What the measures do and do not count, and what bounds the unmet targets: bench/NOTES.md.',
    '',
    machine(loadAtStart),
    '',
    ...sections,
  ].join('\n');
  // A partial run is a working measurement, not the record: it goes to the scratch directory.
  // A partial run's results outlive the run's scratch directory, which is removed at exit.
  const full = only.length === Object.keys(SUITES).length;
  const record = join(ROOT, 'bench', 'RESULTS.md');
  const out = full || update ? record : join(ROOT, 'bench', 'RESULTS-partial.md');
  writeFileSync(out, !full && update ? updateResults(record, sections, loadAtStart, only) : doc);
  process.stderr.write(`bench: wrote ${out}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
