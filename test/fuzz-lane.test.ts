// The fuzz lane at a small, fixed size, so CI keeps it working: generated well-typed programs
// compile without an abort or an uncaught exception, and the sampled ones load through the kernel
// verifier (load only, nothing attached, nothing left loaded). `npm run fuzz` runs it at full size.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateProgram } from './fuzz/program';
import { report, runLane } from './fuzz/lane';
import { leakedPrograms } from './helpers';

test('the generator is deterministic and makes programs of every kind of probe, map and statement', () => {
  assert.is(generateProgram(7, 3), generateProgram(7, 3));
  assert.is.not(generateProgram(7, 3), generateProgram(7, 4));
  const text = Array.from({ length: 200 }, (_, i) => generateProgram(11, i)).join('\n');
  for (const needle of ['BEGIN', 'END', 'interval:', 'tracepoint:', 'kprobe:', 'while (', 'unroll(', 'else', 'printf(',
    'count()', 'sum(', 'avg(', 'min(', 'max(', 'stats(', 'hist(', 'lhist(', 'delete(', 'str(args->filename', 'strncmp(',
    ' / ', ' % ', ' << ', ' >> ', ' && ', ' || ', ' ? ', '(int8)', '(uint64)', 'comm', 'é', '日本']) {
    assert.ok(text.includes(needle), `some program has ${needle}`);
  }
  assert.ok(/"[^"\\]{50,}"/.test(text), 'some string literal is long');
});

test('200 generated programs compile with no abort or exception; 30 of them load through the verifier', async () => {
  const f = await runLane({ seed: 20, codegen: 200, verifier: 30, batch: 100, jobs: 2 });
  const text = report(f);
  process.stdout.write(`\n${text}\n`);
  assert.is(f.programs, 200);
  assert.equal(f.aborts, [], text);
  assert.equal(f.exceptions, [], text);
  assert.ok(f.compiled >= 100, `most programs compile:\n${text}`);
  assert.ok(f.verified + f.rejected >= 25, `about 30 went through the verifier:\n${text}`);
  assert.ok(f.verified > 0, text);
  assert.equal(leakedPrograms(), []);
});

test.run();
