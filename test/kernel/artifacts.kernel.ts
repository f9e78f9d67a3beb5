// Artifacts built on the host's kernel (artifacts-build.ts, before the boot) run on the guest's:
// a tracepoint program whose args layout both kernels share gives what the same script compiled
// here gives; a program reading kernel structs runs where every member sits where the build
// kernel had it, and is refused before loading, naming the member, where one moved (bpfscript has
// no CO-RE relocations yet).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { bpfscript } from '../helpers';
import { reads, traceCommand } from './helpers';
import { ARTIFACT_SCRIPTS, artifactPath } from './artifacts-build';
import { decode } from '../../src/artifact/format';
import { Btf } from '../../src/kernel/btf';
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

test('curtask->real_parent->pid: runs where the members sit as on the build kernel, else is refused naming the first that moved', () => {
  const art = artifactPath('curtask');
  const { header } = decode(readFileSync(art));
  const layout = header.meta.kernelLayout as KernelLayout[];
  const btf = Btf.vmlinux()!;
  const moved = layout.find((l) => {
    const p = planMember(btf, findNamedType(btf, l.struct)!, l.member, true, 'kernel', !!l.indexed);
    return 'error' in p || p.offset !== l.offset || p.bytes !== l.bytes;
  });
  const r = bpfscript(['run', art, '-c', reads()], { timeoutMs: 240_000 });
  if (!moved) {
    assert.is(r.stdout, 'Attaching 1 probe...\n1 1\n\n\n');
    return;
  }
  const here = planMember(btf, findNamedType(btf, moved.struct)!, moved.member, true, 'kernel') as { offset: number };
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.is(
    r.stderr,
    `ERROR: this artifact cannot run on kernel ${release()}: ${moved.struct}'s member '${moved.member}' is at byte ${here.offset} (${moved.bytes} bytes) here, at byte ${moved.offset} (${moved.bytes} bytes) on ${header.kernel}, where it was built; rebuild it on this kernel\n`,
  );
});

test.run();
