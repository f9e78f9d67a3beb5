// `npm run fuzz` (after the grammar fuzz): the generated-program lane at full size.
// FUZZ_CODEGEN (10000), FUZZ_VERIFIER (1000), FUZZ_SEED (1), FUZZ_BATCH (250), FUZZ_JOBS (1:
// worker processes at once) change it.
// Exits 1 on any abort or uncaught exception; verifier rejections are listed as bugs.

import { report, runLane } from './lane';

const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);
const opts = { seed: num('FUZZ_SEED', 1), codegen: num('FUZZ_CODEGEN', 10_000), verifier: num('FUZZ_VERIFIER', 1_000), batch: num('FUZZ_BATCH', 250), jobs: num('FUZZ_JOBS', 1) };
let shown = 0;
void main();

async function main(): Promise<void> {
  const figures = await runLane(opts, (done, sofar) => {
    process.stderr.write(`\r${done} / ${opts.codegen}`);
    // A long run shows its figures so far, so a stopped run still tells something.
    if (done - shown >= 2_000 && done < opts.codegen) {
      shown = done;
      process.stderr.write(`\n${report(sofar)}\n`);
    }
  });
  process.stderr.write('\n');
  process.stdout.write(report(figures) + '\n');
  if (figures.aborts.length || figures.exceptions.length) process.exitCode = 1;
}
