// --test and --bench (bpftrace 0.25+): instead of attaching anything, run each test:NAME or
// bench:NAME program through BPF_PROG_TEST_RUN, in the script's order. A test passes when its
// program returns 0 and it asked for no failing exit; its output is shown only when it fails. A
// benchmark is repeated until it has run for at least 1 ms, and its mean time per run is reported.
// Both are XDP programs: the kernel repeats and times only packet programs' test runs, and these
// want ETH_HLEN bytes of packet data to accept the run.

import type { ProbeMeta } from '../src/compiled';
import type { OutputSink } from '../src/functions';
import type { BpfProgram } from './libbpf';
import { jsonString } from './format/json';

const ETH_HLEN = 14;
const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

export type RunMode = 'test' | 'bench';

/** What the session lends the runner. */
export interface ModeHost {
  program(probe: ProbeMeta): BpfProgram;
  /** Handles every record the last run left in the ring. */
  drain(): void;
  /** Where the report goes (stdout, or -o FILE). */
  out: OutputSink;
  /** Sends what the programs print somewhere else until the returned function takes it back. */
  divert(): () => string;
  /** Whether the last run failed in user space (an event that could not be handled, a failing
   * helper reported under -k); clears it. */
  takeFailure(): boolean;
}

/** bpftrace's duration with the largest unit that keeps it at least 1. */
function duration(ns: number): string {
  const [scale, unit] = ns >= 1e9 ? [1e9, 's'] : ns >= 1e6 ? [1e6, 'ms'] : ns >= 1e3 ? [1e3, '\xce\xbcs'] : [1, 'ns'];
  return `${Math.floor(ns / scale)} ${unit}`;
}

const plural = (n: number) => (n === 1 ? 'test' : 'tests');

/** Runs every test probe; returns the exit status (1 when one failed). */
export function runTests(probes: readonly ProbeMeta[], host: ModeHost): number {
  const line = (s: string) => host.out.printf(`${s}\n`);
  const tests = probes.filter((p) => p.runOnce === 'test');
  const passed: boolean[] = [];
  const json = !!host.out.record;
  if (!json) line(`${GREEN}[==========]${RESET} Running ${tests.length} ${plural(tests.length)}.`);
  for (const p of tests) {
    const name = p.attach && 'label' in p.attach ? String(p.attach.label) : p.name;
    if (!json) line(`${GREEN}[ RUN      ]${RESET} ${name}`);
    const take = host.divert();
    const r = host.program(p).testRun({ data: Buffer.alloc(ETH_HLEN), repeat: 1 });
    host.drain();
    const output = take();
    const ok = r.retval === 0 && !host.takeFailure();
    passed.push(ok);
    // -f json: one test_result line per test, as bpftrace 0.25+ writes it.
    if (host.out.record) {
      host.out.record('test_result', `{${jsonString(name)}: {"duration": ${r.duration}, "passed": ${ok}, "output": ${jsonString(output)}}}`);
      continue;
    }
    if (!ok) for (const l of output.split('\n')) if (l) line(l);
    line(`${ok ? `${GREEN}[       OK ]` : `${RED}[  FAILED  ]`}${RESET} ${name} (${duration(r.duration)})`);
  }
  const failed = tests.filter((_, i) => !passed[i]);
  if (json) {
    host.out.flush();
    return failed.length ? 1 : 0;
  }
  line(`${GREEN}[==========]${RESET} ${tests.length} ${plural(tests.length)} ran.`);
  line(`${GREEN}[  PASSED  ]${RESET} ${tests.length - failed.length} ${plural(tests.length - failed.length)}.`);
  if (failed.length) {
    line(`${RED}[  FAILED  ]${RESET} ${failed.length} ${plural(failed.length)}, listed below:`);
    for (const p of failed) line(`${RED}[  FAILED  ]${RESET} ${String(p.attach && 'label' in p.attach ? p.attach.label : p.name)}`);
  }
  host.out.flush();
  return failed.length ? 1 : 0;
}

/** How many more runs to try after `total` ns of `iters` runs (bpftrace's steps towards 1 ms). */
function nextIters(iters: number, totalNs: number): number {
  if (totalNs < 1e3) return iters * 1000;
  if (totalNs < 1e4) return iters * 100;
  if (totalNs < 1e5) return iters * 10;
  if (totalNs < 1e6) return iters * 2;
  return 0;
}

/** Runs every bench probe; prints bpftrace's table of mean ns per run; returns the exit status. */
export function runBenches(probes: readonly ProbeMeta[], host: ModeHost, warn: (s: string) => void): number {
  const benches = probes.filter((p) => p.runOnce === 'bench');
  const label = (p: ProbeMeta) => String(p.attach && 'label' in p.attach ? p.attach.label : p.name);
  const width = Math.max(40, ...benches.map((p) => label(p).length)) + 1;
  let status = 0;
  let header = false;
  for (const p of benches) {
    let iters = 1;
    for (;;) {
      // A benchmark's own output is thrown away.
      const take = host.divert();
      const r = host.program(p).testRun({ data: Buffer.alloc(ETH_HLEN), repeat: iters });
      host.drain();
      take();
      const failed = host.takeFailure();
      // A benchmark that returns non-zero skips itself.
      if (!failed && r.retval !== 0) break;
      const more = nextIters(iters, r.duration * iters);
      if (more && !failed) {
        iters = more;
        continue;
      }
      if (failed) {
        warn(`ERROR: Benchmark '${label(p)}' failed.\n`);
        status = 1;
        break;
      }
      if (host.out.record) {
        host.out.record('benchmark_result', `{${jsonString(label(p))}: {"average": ${r.duration}, "iters": ${iters}}}`);
        break;
      }
      if (!header) {
        host.out.printf(`${'Benchmark'.padEnd(width)}${'Time(ns)'.padEnd(15)}Iterations\n${'-'.repeat(width + 15 + 'Iterations'.length)}\n`);
        header = true;
      }
      host.out.printf(`${label(p).padEnd(width)}${String(r.duration).padEnd(15)}${iters}\n`);
      break;
    }
  }
  host.out.flush();
  return status;
}
