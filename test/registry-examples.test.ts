// Every registered module's own examples (src/functions/example.ts), run in the real kernel: each
// program is compiled, loaded and run, and its whole stdout checked; where bpftrace 0.17 prints
// the same, it runs too and the bytes are compared. An example that cannot run on this host says
// why and is only compiled and loaded by the verifier (-d verifier).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from './child';
import { BIN, leakedPrograms } from './helpers';
import { owners } from './registry-owners';

test.after(() => {
  assert.equal(leakedPrograms(), []);
});

const ATTACHING = /^Attaching \d+ probes?\.\.\.\n/;

for (const o of owners()) {
  o.examples.forEach((ex, i) => {
    const label = `${o.kind} ${o.name}${o.examples.length > 1 ? ` #${i + 1}` : ''}: ${ex.script}`;
    test(label, () => {
      const args = [...(ex.args ?? []), ...(ex.loadOnly ? ['-d', 'verifier'] : []), '-e', ex.script];
      const ours = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
      // bpftrace 0.26 says "Attached N probes" on stderr; nothing else may be there.
      assert.is(ours.stderr.replace(/^Attached \d+ probes?\n/, ''), '', 'no warnings or errors');
      assert.is(ours.status, 0);
      if (ex.loadOnly) return;
      const out = ours.stdout.replace(ATTACHING, '');
      if (typeof ex.output === 'string') assert.is(out, ex.output);
      else assert.match(out, ex.output);
      if (ex.sameAs017) {
        const theirs = spawnSync('bpftrace', args, { encoding: 'utf8', timeout: 60_000 });
        assert.is(theirs.error?.message, undefined, 'bpftrace ran to its end within the timeout');
        assert.is(ours.stdout, theirs.stdout, 'the same as bpftrace 0.17');
      }
    });
  });
}

test.run();
