// One batch of the fuzz lane, in its own process so an LLVM abort ends only the batch:
// `node worker.js SEED FROM TO VERIFY_EVERY`. Compiles programs FROM..TO-1 in-process and sends
// every VERIFY_EVERY-th compiled one through the kernel verifier (load, never attach, close).
// Writes one line per program to stdout: `start I` before it, then `I OUTCOME MESSAGE` as JSON;
// a program that started but has no outcome line killed the process.

import { writeSync } from 'node:fs';
import { compile } from '../../src/compile';
import type { CompiledProgram } from '../../src/compiled';
import { BpfscriptError } from '../../common/diagnostics';
import { generateProgram } from './program';
import { useLibbpfFeatureProbes } from '../../runtime/feature-probes';

export type Outcome = 'compiled' | 'refused' | 'exception' | 'verified' | 'rejected';

export interface Result {
  i: number;
  outcome: Outcome;
  /** The diagnostic, exception or verifier reason. */
  msg?: string;
  ms: number;
}

const say = (line: string) => writeSync(1, `${line}\n`);

/** The verifier's own words: the last log line that names a problem, numbers blanked for grouping. */
export function verifierReason(e: unknown): string {
  const log = String((e as { verifierLog?: string }).verifierLog ?? '');
  const lines = log.split('\n').map((l) => l.trim())
    .filter((l) => l && !/^(processed|verification time|stack depth|;|cur state|old state|from \d+ to|R\d)/.test(l) && !/^\d+: /.test(l));
  const why = lines[lines.length - 1] ?? String((e as Error).message ?? e).split('\n')[0]!;
  return why;
}

function verify(g: CompiledProgram): string | null {
  const { BpfObject } = require('../../runtime/libbpf') as typeof import('../../runtime/libbpf');
  const { setTwinsLoaded } = require('../../runtime/attach/twin') as typeof import('../../runtime/attach/twin');
  const obj = BpfObject.openMem(g.elf, 'fuzz-verifier');
  try {
    // A kprobe's fentry twin loads only where the kernel takes tracing programs (this host refuses
    // them at load); the kprobe is the program every kernel verifies.
    setTwinsLoaded(obj, g.meta.probes, false);
    obj.load();
    return null;
  } catch (e) {
    return verifierReason(e);
  } finally {
    obj.close();
  }
}

function main(): void {
  // The compiles ask this kernel what it allows, as the CLI's do.
  useLibbpfFeatureProbes();
  const [seed, from, to, every] = process.argv.slice(2).map(Number) as [number, number, number, number];
  let owed = 0;
  for (let i = from; i < to; i++) {
    if (every > 0 && i % every === 0) owed++;
    say(`start ${i}`);
    const t0 = Date.now();
    const src = generateProgram(seed, i);
    let r: Result;
    try {
      const g = compile(src, { file: 'fuzz.bt' });
      r = { i, outcome: 'compiled', ms: 0 };
      if (owed > 0) {
        owed--;
        const why = verify(g);
        r = why === null ? { i, outcome: 'verified', ms: 0 } : { i, outcome: 'rejected', msg: why, ms: 0 };
      }
    } catch (e) {
      r = e instanceof BpfscriptError
        ? { i, outcome: 'refused', msg: e.diagnostics[0]?.message ?? e.message, ms: 0 }
        : { i, outcome: 'exception', msg: (e as Error)?.stack?.split('\n').slice(0, 3).join(' | ') ?? String(e), ms: 0 };
    }
    r.ms = Date.now() - t0;
    say(JSON.stringify(r));
  }
  say('done');
}

if (require.main === module) main();
