// The leak check of test/helpers.ts in the real kernel: it sees the programs this run's processes
// hold and none that another run's bpfscript holds, so two copies of the suite can share a machine.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RUN_ENV, spawn } from './child';
import { BIN, bpfscriptUntil, leakedPrograms } from './helpers';

const PROG = 'BEGIN { printf("up\\n"); } interval:s:1 { @n = count(); }';

/** Starts bpfscript as another run's process would be: with another run's mark. */
function otherRun(): Promise<{ stop: () => Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const p = spawn('env', [`${RUN_ENV}=another-run`, process.execPath, BIN, '-e', PROG], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 60_000 });
    const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      if (out.includes('up\n')) resolve({ stop: () => (p.kill('SIGINT'), exited) });
    });
    p.on('exit', () => reject(new Error(`bpfscript ended early: ${out}`)));
  });
}

test('a program held by a live bpfscript of this run is a leak, named with its holder', async () => {
  let seen: string[] = [];
  const r = await bpfscriptUntil(['-e', PROG], () => {
    seen = leakedPrograms();
  });
  assert.is(r.status, 0);
  assert.is(seen.length, 2, seen.join('\n'));
  for (const s of seen) assert.match(s, /^probe_\d+ \(prog id \d+, held by pid \d+ (node|bpfscript)\)$/);
  assert.equal(leakedPrograms(), [], 'none once it has exited');
});

test("another run's programs, loaded at the same time, are not this run's leaks", async () => {
  const other = await otherRun();
  try {
    assert.equal(leakedPrograms(), []);
  } finally {
    assert.is(await other.stop(), 0);
  }
});

test.run();
