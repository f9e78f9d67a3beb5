// Artifacts built on the host's kernel (artifacts-build.ts, before the boot) run on the guest's:
// a tracepoint program whose args layout both kernels share gives what the same script compiled
// here gives; a program reading task_struct members, which sit at other offsets here, reads the
// right ones through its CO-RE relocations.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { bpfscript } from '../helpers';
import { kfixture, reads, traceCommand } from './helpers';
import { ARTIFACT_SCRIPTS, artifactPath } from './artifacts-build';
import { decode } from '../../src/artifact/format';
import { Btf } from '../../common/kernel/btf';
import { findNamedType, planMember } from '../../src/semantic/kernel-types';
import type { KernelLayout } from '../../src/compiled';

test('a tracepoint count by comm, hist() and printf of str(), built on the host, runs here as compiled here', () => {
  const art = artifactPath('tracepoints');
  const built = decode(readFileSync(art)).header.kernel as string;
  assert.is.not(built, release(), 'built on another kernel');
  const r = bpfscript(['run', art, '-c', reads()], { timeoutMs: 240_000 });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^WARNING: this artifact was built on kernel ${built.replace(/[.+]/g, '\\$&')} and runs on `));
  assert.match(r.stdout, /^Attaching 2 probes\.\.\.\nopen \/dev\/zero\n\n\n@reads\[kreads\]: 4\n@sizes: \n/);
  assert.is(r.stdout, traceCommand(ARTIFACT_SCRIPTS.tracepoints, reads()).stdout);
});

test('curtask->real_parent->pid, built on the host: task_struct\'s members sit elsewhere here, and the CO-RE relocations find them', () => {
  const art = artifactPath('curtask');
  const { header } = decode(readFileSync(art));
  const layout = header.meta.kernelLayout as KernelLayout[];
  assert.ok(layout.length > 0 && layout.every((l) => l.relocated), JSON.stringify(layout));
  const btf = Btf.vmlinux()!;
  const here = layout.map((l) => {
    const p = planMember(btf, findNamedType(btf, l.struct)!, l.member, true, 'kernel', !!l.indexed);
    assert.not.ok('error' in p, `${l.struct}.${l.member} exists here`);
    return { ...l, here: (p as { offset: number }).offset };
  });
  // The offsets the build compiled are not this kernel's: only relocation gets the right answer.
  const moved = here.filter((l) => l.here !== l.offset);
  assert.ok(moved.length > 0, `some member moved: ${JSON.stringify(here)}`);
  const r = bpfscript(['run', art, '-c', reads()], { timeoutMs: 240_000 });
  assert.is(r.stdout, 'Attaching 1 probe...\n1 1\n\n\n', `${r.stderr}\nmoved: ${moved.map((l) => `${l.member} ${l.offset} -> ${l.here}`).join(', ')}`);
  assert.is(r.status, 0);
});

test('a kprobe reading a struct sock * argument (the TCP latency program), built on the host: family, protocol and one latency sample per round trip', () => {
  const N = 20;
  const r = bpfscript(['run', artifactPath('sock'), '-c', `${kfixture('tcpping')} ${N}`], { timeoutMs: 240_000 });
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  // AF_INET is 2, IPPROTO_TCP 6, 127.0.0.1 in network order 16777343: read from the socket at the
  // offsets this kernel has.
  for (const side of ['tcp-client', 'tcp-server']) assert.ok(lines.includes(`@sends[${side}, 2, 6, 16777343]: ${N}`), r.stdout);
  const totals: Record<string, number> = {};
  let who = '';
  for (const line of lines) {
    const h = /^@usecs\[(.+)\]:\s*$/.exec(line);
    if (h) who = h[1];
    const b = /^[[(][^\])]*[\])]\s+(\d+) \|/.exec(line);
    if (b && who) totals[who] = (totals[who] ?? 0) + Number(b[1]);
  }
  assert.equal(totals, { 'tcp-client': N, 'tcp-server': N });
});

test.run();
