// The fuzz lane beyond the parser: generated well-typed programs through codegen and the kernel
// verifier, in batches of child processes (test/fuzz/worker.ts) so that an abort is counted and
// the lane goes on with the next program.

import { join } from 'node:path';
import { spawn } from '../child';
import type { Result } from './worker';

export interface LaneOptions {
  seed: number;
  /** Programs compiled. */
  codegen: number;
  /** Of those, about this many compiled ones are loaded through the verifier. */
  verifier: number;
  /** Programs a worker process compiles before the next one starts. */
  batch?: number;
  /** Worker processes at once. */
  jobs?: number;
}

export interface Finding {
  i: number;
  msg: string;
}

export interface LaneFigures {
  seed: number;
  programs: number;
  compiled: number;
  refused: number;
  verified: number;
  rejected: number;
  exceptions: Finding[];
  aborts: Finding[];
  refusedBy: Map<string, Finding[]>;
  rejectedBy: Map<string, Finding[]>;
  ms: number;
  compileMs: number;
}

/** A message with its literal parts blanked, so the same refusal of different programs groups. */
export function messageKind(msg: string): string {
  return msg.split('\n')[0]!.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/'[^']*'/g, "'…'").replace(/\b(?:0x[0-9a-f]+|\d+)\b/gi, 'N').replace(/@[a-z]\d+/g, '@M').replace(/\$[a-z]\d+/g, '$V').slice(0, 160);
}

const WORKER = join(__dirname, 'worker.js');

export async function runLane(opts: LaneOptions, progress?: (done: number, sofar: LaneFigures) => void): Promise<LaneFigures> {
  const t0 = Date.now();
  const batch = opts.batch ?? 250;
  const every = opts.verifier > 0 ? Math.max(1, Math.floor(opts.codegen / opts.verifier)) : 0;
  const f: LaneFigures = {
    seed: opts.seed, programs: 0, compiled: 0, refused: 0, verified: 0, rejected: 0,
    exceptions: [], aborts: [], refusedBy: new Map(), rejectedBy: new Map(), ms: 0, compileMs: 0,
  };
  const group = (by: Map<string, Finding[]>, r: Result) => {
    const k = messageKind(r.msg ?? '');
    by.set(k, [...(by.get(k) ?? []), { i: r.i, msg: r.msg ?? '' }]);
  };
  // One worker process per batch; a batch whose worker died goes on after the program that killed it.
  const runBatch = async (from: number, to: number): Promise<void> => {
    while (from < to) {
      const run = await spawnCollect([WORKER, String(opts.seed), String(from), String(to), String(every)], 60_000 + (to - from) * 3_000);
      let started = -1;
      let next = from;
      let done = false;
      for (const line of run.stdout.split('\n')) {
        if (line === 'done') done = true;
        else if (line.startsWith('start ')) started = Number(line.slice(6));
        else if (line.startsWith('{')) {
          const r = JSON.parse(line) as Result;
          f.programs++;
          f.compileMs += r.ms;
          next = r.i + 1;
          switch (r.outcome) {
            case 'compiled': f.compiled++; break;
            case 'verified': f.compiled++; f.verified++; break;
            case 'rejected': f.compiled++; f.rejected++; group(f.rejectedBy, r); break;
            case 'refused': f.refused++; group(f.refusedBy, r); break;
            case 'exception': f.exceptions.push({ i: r.i, msg: r.msg ?? '' }); break;
          }
        }
      }
      if (!done) {
        // The program that started and never finished ended the process: an abort (or a hang).
        const at = started >= next ? started : next;
        f.aborts.push({ i: at, msg: `${run.why}: ${lastLine(run.stderr)}` });
        f.programs++;
        next = at + 1;
      }
      from = next;
    }
  };
  const batches: [number, number][] = [];
  for (let from = 0; from < opts.codegen; from += batch) batches.push([from, Math.min(opts.codegen, from + batch)]);
  let doneBatches = 0;
  const lane = async () => {
    for (let b = batches.shift(); b; b = batches.shift()) {
      await runBatch(b[0], b[1]);
      doneBatches++;
      f.ms = Date.now() - t0;
      progress?.(Math.min(opts.codegen, doneBatches * batch), f);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs ?? 1) }, lane));
  f.ms = Date.now() - t0;
  return f;
}

function spawnCollect(args: string[], timeout: number): Promise<{ stdout: string; stderr: string; why: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout });
    let stdout = '';
    let stderr = '';
    p.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-4000); });
    p.on('close', (code, signal) => resolve({ stdout, stderr, why: signal ? `killed by ${signal}` : `exit ${code}` }));
  });
}

function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.slice(-2).join(' | ').slice(0, 300);
}

const top = (by: Map<string, Finding[]>, n: number) =>
  [...by].sort((a, b) => b[1].length - a[1].length).slice(0, n)
    .map(([k, list]) => `    ${String(list.length).padStart(5)}  ${k}   (e.g. program ${list[0]!.i})`);

export function report(f: LaneFigures): string {
  const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)}%` : '-');
  const lines = [
    `fuzz lane, seed ${f.seed}: ${f.programs} programs in ${(f.ms / 1000).toFixed(1)} s (${(f.compileMs / Math.max(1, f.programs)).toFixed(0)} ms a program in the workers)`,
    `  compiled            ${f.compiled} (${pct(f.compiled, f.programs)})`,
    `  refused (diagnostic) ${f.refused} (${pct(f.refused, f.programs)})`,
    ...top(f.refusedBy, 8),
    `  verifier: loaded    ${f.verified} of ${f.verified + f.rejected}`,
    `  verifier-rejected   ${f.rejected}`,
    ...top(f.rejectedBy, 8),
    `  uncaught exceptions ${f.exceptions.length}`,
    ...f.exceptions.slice(0, 8).map((e) => `    program ${e.i}: ${e.msg.slice(0, 200)}`),
    `  aborts              ${f.aborts.length}`,
    ...f.aborts.slice(0, 8).map((e) => `    program ${e.i}: ${e.msg}`),
    `  replay one: node dist/test/fuzz/show.js ${f.seed} INDEX`,
  ];
  return lines.join('\n');
}
