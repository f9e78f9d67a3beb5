// The seed article's two programs (examples/12 and 14) on real loopback TCP traffic: N round
// trips between a client and a server process, so every count is known.

import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, bpfscript } from '../helpers';
import { bpftrace, kfixture, traceCommand } from './helpers';

const N = 20;
const ping = () => `${kfixture('tcpping')} ${N}`;

test('counting tcp_sendmsg calls (examples/12): N sends each side', () => {
  const r = bpfscript([join(ROOT, 'examples', '12-tcp-sendmsg-count.bt'), '-c', ping()], { timeoutMs: 240_000 });
  // Equal counts print in either order (bpftrace's too): compare the lines as a set.
  const lines = (s: string) => s.split('\n').sort();
  const want = `Attaching 1 probe...\n\n\n@sends[tcp-client]: ${N}\n@sends[tcp-server]: ${N}\n`;
  assert.equal(lines(r.stdout), lines(want));
  assert.is(r.status, 0);
  assert.equal(lines(bpftrace('kprobe:tcp_sendmsg { @sends[comm] = count(); }', ping()).stdout), lines(want));
});

test('send→receive latency keyed by tid (examples/14): one sample per round trip per side', () => {
  const r = bpfscript([join(ROOT, 'examples', '14-tcp-latency.bt'), '-c', ping()], { timeoutMs: 240_000 });
  assert.is(r.status, 0, r.stderr);
  // Bucket placement is timing; the number of samples is not: the client receives N echoes after
  // its N sends, the server receives N-1 messages after a send plus the end of the stream.
  const totals: Record<string, number> = {};
  let who = '';
  for (const line of r.stdout.split('\n')) {
    const h = /^@usecs\[(.+)\]:\s*$/.exec(line);
    if (h) who = h[1];
    const b = /^[[(][^\])]*[\])]\s+(\d+) \|/.exec(line);
    if (b && who) totals[who] = (totals[who] ?? 0) + Number(b[1]);
  }
  assert.equal(totals, { 'tcp-client': N, 'tcp-server': N });
});

test('the same traffic through fentry: tcp_sendmsg args.size from BTF', () => {
  const r = traceCommand('kfunc:tcp_sendmsg { @[comm] = sum(args.size); }', ping());
  const lines = (s: string) => s.split('\n').sort();
  assert.equal(lines(r.stdout), lines(`Attaching 1 probe...\n\n\n@[tcp-client]: ${N * 64}\n@[tcp-server]: ${N * 64}\n`));
  assert.is(r.status, 0);
});

test.run();
