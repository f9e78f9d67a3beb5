// The examples that need kprobes or fentry, run for real inside the VM with their output checked
// (examples/status.json marks them "vm"; the seed's 12 and 14 run in tcp.kernel.ts).

import { spawnSync } from '../child';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, bpfscript } from '../helpers';
import { TICK, runWhile, sumOf } from '../example-run';
import { kfixture } from './helpers';

const example = (f: string) => join(ROOT, 'examples', f);

test('tcptop (examples/16-tcptop.bt): bytes sent and received per process, from kprobes', async () => {
  // 20 round trips of 64 bytes: each side sends 1280 bytes and reads 1280.
  const r = await runWhile(example('16-tcptop.bt'), `${kfixture('tcpping')} 20`, { ready: TICK, until: TICK, settleMs: 300, timeoutMs: 240_000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.workload, 0, 'the workload ran');
  assert.match(r.stdout, /^\d\d:\d\d:\d\d\n/m, 'the time heads each table');
  for (const map of ['send', 'recv']) {
    for (const who of ['tcp-client', 'tcp-server']) {
      assert.is(sumOf(r.stdout, new RegExp(`^@${map}\\[\\d+, ${who}\\]: (\\d+)$`)), 1280, `@${map} of ${who}\n${r.stdout}`);
    }
  }
});

test('filetop by name (examples/22-filetop-by-name.bt): struct fields through BTF from kfunc args', () => {
  // kreads reads /dev/zero three times 12345 bytes and once 777: args->count adds up to 37812.
  const reads = `${kfixture('kreads')} 3 12345 1 777`;
  const r = bpfscript([example('22-filetop-by-name.bt'), '-c', reads], { timeoutMs: 240_000 });
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.stdout.split('\n').includes('@bytes[zero]: 37812'), r.stdout);
  const b = spawnSync('bpftrace', [example('22-filetop-by-name.bt'), '-c', reads], { encoding: 'utf8', timeout: 240_000 });
  assert.ok(b.stdout.split('\n').includes('@bytes[zero]: 37812'), `bpftrace prints it too\n${b.stdout}`);
});

test.run();
