// Which mechanism a kprobe compiles to (common/kernel/kprobe-mechanism.ts), decided from the fake
// kernel's answers to the feature probes rather than forced with BPFSCRIPT_KPROBE_VIA: each test
// gets a fresh host, since the answers are kept per host.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { constants } from 'node:os';
import { compile } from '../../src/compile';
import type { ProbeMeta } from '../../src/compiled';
import { ElfFile } from '../../common/kernel/elf';
import { withHost } from '../../common/kernel/host';
import type { KprobeAttach } from '../../src/probes/kprobe.attach';
import { fakeKernel, type FakeHost } from '../fake-host';

function build(h: FakeHost, src: string) {
  const g = withHost(h, () => compile(src, { file: 'unit.bt' }));
  return { probes: g.meta.probes as ProbeMeta<KprobeAttach>[], sections: ElfFile.fromBuffer(g.elf).programs().map((p) => p.section.name) };
}

test('with kprobe_multi a wildcard is one program on every match, linked as ksys_read was asked', () => {
  const h = fakeKernel().answer('kprobe-multi', null);
  const { probes } = build(h, 'kprobe:vfs_* { @[func] = count(); }');
  assert.equal(probes.map((p) => [p.name, p.attach.via, p.attach.via === 'multi' && p.attach.funcs]), [['kprobe:vfs_*', 'multi', ['vfs_read', 'vfs_write']]]);
  assert.equal(h.probesAsked, [{ kind: 'kprobe-multi', address: 0xffffffff816d8f20n }]);
});

test('without it, or when `probe` names the match, a wildcard is one kprobe per function', () => {
  const refused = build(fakeKernel(), 'kprobe:vfs_* { @[func] = count(); }');
  assert.equal(refused.probes.map((p) => [p.name, p.attach.via]), [['kprobe:vfs_read', 'kprobe'], ['kprobe:vfs_write', 'kprobe']]);
  const perMatch = build(fakeKernel().answer('kprobe-multi', null), 'kprobe:vfs_* { @[probe] = count(); }');
  assert.equal(perMatch.probes.map((p) => p.attach.via), ['kprobe', 'kprobe']);
});

test('a single function never asks for kprobe_multi', () => {
  const h = fakeKernel().answer('kprobe-multi', null);
  assert.equal(build(h, 'kprobe:vfs_read { @ = count(); }').probes.map((p) => p.attach.via), ['kprobe']);
  assert.equal(h.probesAsked, []);
});

test('without kprobes, fentry/fexit stand in where the kernel takes tracing programs', () => {
  const h = fakeKernel({ kprobes: false }).answer('tracing', constants.errno.EINVAL);
  const g = build(h, 'kprobe:vfs_read { @[arg2] = count(); } kretprobe:vfs_read { @r = max(retval); }');
  assert.equal(g.probes.map((p) => [p.name, p.attach.via]), [['kprobe:vfs_read', 'fentry'], ['kretprobe:vfs_read', 'fentry']]);
  assert.equal(g.sections, ['fentry/vfs_read', 'fexit/vfs_read']);
  assert.equal(h.probesAsked, [{ kind: 'tracing' }]);
});

test('without kprobes, and tracing programs refused, kprobes stay kprobes (attaching then says why)', () => {
  for (const errno of [constants.errno.EPERM, constants.errno.EOPNOTSUPP, 524]) {
    const g = build(fakeKernel({ kprobes: false }).answer('tracing', errno), 'kprobe:vfs_read { @ = count(); }');
    assert.equal(g.probes.map((p) => p.attach.via), ['kprobe'], `errno ${errno}`);
  }
});

test.run();
