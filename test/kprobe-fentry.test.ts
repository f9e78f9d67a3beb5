// kprobes compiled with an fentry/fexit twin (issue 16): which bodies get one, that the kprobe form
// passes this kernel's verifier beside it, and the fallbacks when the twin cannot load or attach.
// This host refuses tracing programs (EPERM at load) and has no kprobes; the twins attach for real
// in the VM lane (test/kernel/fentry.kernel.ts).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile';
import type { ProbeMeta } from '../src/compiled';
import type { KprobeAttach } from '../src/probes/kprobe.attach';
import { realHost, withHost } from '../common/kernel/host';
import { BpfObject, LibbpfError, ProgType } from '../runtime/libbpf';
import { loadProgram } from '../runtime/load';
import { attachPreferringTwin } from '../runtime/attach/twin';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';
import { bpfscript, leakedPrograms } from './helpers';

useLibbpfFeatureProbes();

const twinOf = (src: string): KprobeAttach | undefined => (compile(src, { file: 't.bt' }).meta.probes[0] as ProbeMeta<KprobeAttach>).twin?.attach;

test('a kprobe and a kretprobe get an fentry/fexit twin: both programs in the object, one probe in the meta', () => {
  const gen = compile('kprobe:vfs_read { @[arg2] = count(); } kretprobe:vfs_read { @r[retval] = count(); }', { file: 't.bt' });
  assert.equal(gen.meta.probes.map((p) => [p.name, p.progName, p.twin?.progName]), [['kprobe:vfs_read', 'probe_0', 'probe_0_tw'], ['kretprobe:vfs_read', 'probe_1', 'probe_1_tw']]);
  // vfs_read(file, buf, count, pos): fexit's return value follows the four argument slots.
  assert.equal(gen.meta.probes[1].twin?.attach, { func: 'vfs_read', retprobe: true, via: 'fentry', retSlot: 4, twin: true });
  const obj = BpfObject.openMem(gen.elf, 'twins');
  try {
    assert.equal(Object.fromEntries(obj.programs().map((p) => [p.name, [p.sectionName, p.type]])), {
      probe_0: ['kprobe/vfs_read', ProgType.KPROBE],
      probe_0_tw: ['fentry/vfs_read', ProgType.TRACING],
      probe_1: ['kretprobe/vfs_read', ProgType.KPROBE],
      probe_1_tw: ['fexit/vfs_read', ProgType.TRACING],
    });
  } finally {
    obj.close();
  }
});

test('bodies that read what only a kprobe has, or arguments narrower than their slot, keep the kprobe alone', () => {
  assert.ok(twinOf('kprobe:vfs_read { @[comm, pid, func, probe, ustack] = count(); }'), 'common builtins');
  assert.ok(twinOf('kprobe:vfs_read { @[arg0, arg1, arg2, arg3] = count(); }'), 'pointer and size_t arguments');
  for (const src of [
    'kprobe:vfs_read { @[reg("ip")] = count(); }',
    'kprobe:vfs_read { @[kstack] = count(); }',
    'kprobe:vfs_read { @ = sarg0; }',
    'kprobe:vfs_read { @ = ctx; }',
    'kprobe:vfs_read { @ = arg4; }', // vfs_read has four parameters: the register is not a slot
    'kprobe:do_sys_openat2 { @[arg0] = count(); }', // int dfd: only 4 of the slot's 8 bytes are saved on older kernels
    'kprobe:vfs_read+5 { @ = count(); }',
    'kprobe:vfs_rea* { @ = count(); }',
  ]) {
    assert.is(twinOf(src), undefined, src);
  }
});

test('programs on one function keep one mechanism: a kprobe that cannot be twinned keeps its neighbour a kprobe', () => {
  const gen = compile('kprobe:vfs_read { @a = count(); } kprobe:vfs_read { @b[reg("ip")] = count(); } kretprobe:vfs_read { @c = count(); }', { file: 't.bt' });
  assert.equal(gen.meta.probes.map((p) => !!p.twin), [false, false, true]);
});

test('an artifact (bpfscript build) keeps its kprobes: twin slots come from the compiling kernel', () => {
  const gen = compile('kprobe:vfs_read { @[arg2] = count(); }', { file: 't.bt', relocatable: true });
  assert.is(gen.meta.probes[0].twin, undefined);
});

test('the kprobe form passes this kernel\'s verifier; a twin refused at load is dropped and the object loads again without it', () => {
  const gen = compile('kprobe:vfs_read { @[arg2] = count(); } kretprobe:vfs_read { @r[retval] = count(); }', { file: 't.bt' });
  // Here tracing programs are refused, so the twins are not even sent to the verifier.
  const plain = loadProgram(gen, 0);
  try {
    assert.ok(plain.loaded);
    assert.equal(plain.programs().map((p) => [p.name, p.autoload]), [['probe_0', true], ['probe_0_tw', false], ['probe_1', true], ['probe_1_tw', false]]);
  } finally {
    plain.close();
  }
  // A kernel that says it takes tracing programs but then refuses these: the fallback path, for real.
  const said: string[] = [];
  const claims = { ...realHost, loadFeatureProbe: () => null };
  const obj = withHost(claims, () => loadProgram(gen, 0, undefined, {}, { say: (l) => said.push(l) }));
  try {
    assert.ok(obj.loaded);
    assert.equal(obj.programs().filter((p) => p.autoload).map((p) => p.name), ['probe_0', 'probe_1']);
    assert.is(said.length, 1);
    assert.match(said[0], /^the fentry programs did not load \(.*\); attaching kprobes instead$/);
  } finally {
    obj.close();
  }
  // --no-fentry on such a kernel: never tried.
  const forced = withHost(claims, () => loadProgram(gen, 0, undefined, {}, { noFentry: true, say: (l) => said.push(l) }));
  forced.close();
  assert.is(said.length, 1);
  assert.equal(leakedPrograms(), []);
});

test('attach: the twin first when it was loaded, the kprobe when attaching it fails or it was not loaded', () => {
  const p: ProbeMeta = { progName: 'probe_0', provider: 'kprobe', name: 'kprobe:vfs_read', attach: { via: 'kprobe', func: 'vfs_read', offset: 0, retprobe: false }, twin: { progName: 'probe_0_tw', attach: { via: 'fentry', func: 'vfs_read', retprobe: false, retSlot: 4, twin: true } } };
  const fake = (loaded: boolean) => ({ program: (name: string) => ({ name, autoload: name === 'probe_0' || loaded }) }) as unknown as BpfObject;
  const tried: string[] = [];
  const said: string[] = [];
  const attach = (refuse: boolean) => (prog: { name: string }, q: ProbeMeta) => {
    tried.push(`${prog.name}:${(q.attach as KprobeAttach).via}`);
    if (refuse && q.twin === undefined) throw new LibbpfError('bpf_program__attach_trace', 16);
    if (refuse && prog.name.endsWith('_tw')) throw new LibbpfError('bpf_program__attach_trace', 16);
    return [];
  };
  attachPreferringTwin(fake(true), p, attach(false) as never, (l) => said.push(l));
  assert.equal(tried.splice(0), ['probe_0_tw:fentry']);
  attachPreferringTwin(fake(true), p, attach(true) as never, (l) => said.push(l));
  assert.equal(tried.splice(0), ['probe_0_tw:fentry', 'probe_0:kprobe']);
  assert.match(said[0], /^kprobe:vfs_read: the fentry program did not attach \(.*\); attaching the kprobe$/);
  attachPreferringTwin(fake(false), p, attach(false) as never, (l) => said.push(l));
  assert.equal(tried.splice(0), ['probe_0:kprobe']);
});

test('this host has neither kprobes nor tracing programs: the same refusal as before twins, --no-fentry accepted', () => {
  for (const extra of [[], ['--no-fentry']]) {
    const r = bpfscript([...extra, '-e', 'kprobe:vfs_read { @[arg2] = count(); }']);
    assert.is(r.status, 1);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /^ERROR: cannot attach kprobe:vfs_read: this kernel has no kprobe support/);
  }
});

test.run();
