// The probe-type contract (src/probes/types.ts): every compiler-side type has its runtime half,
// and the passes' questions get the answers bpftrace 0.17's rules give. No kernel needed: these
// compile only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { probeTypes, type ProbeType } from '../src/probes';
import { attachers } from '../runtime/attach';
import { compile } from '../src/compile';
import { BpfscriptError } from '../common/diagnostics';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// In-process compiles ask this kernel what it allows, as the CLI does.
useLibbpfFeatureProbes();

const names = (keep: (t: ProbeType) => boolean) => probeTypes().filter(keep).map((t) => t.name).sort();

test('every probe type that is attached has an attacher of the same name', () => {
  for (const t of probeTypes()) {
    if (t.runOnce) continue;
    assert.is(attachers.get(t.name)?.provider, t.name, t.name);
  }
});

test('capabilities: which probe types allow what', () => {
  assert.equal(names((t) => t.addressSpace === 'user'), ['uprobe', 'uretprobe', 'usdt']);
  assert.equal(names((t) => !!t.mayOverrideReturn), ['kprobe']);
  assert.equal(names((t) => !!t.maySendSignal), ['kfunc', 'kprobe', 'kretfunc', 'kretprobe', 'profile', 'rawtracepoint', 'tracepoint', 'uprobe', 'uretprobe', 'usdt']);
  assert.equal(names((t) => t.namedArgs === 'btf-params' || t.namedArgs === 'btf-context'), ['iter', 'kfunc', 'kretfunc', 'rawtracepoint']);
  assert.equal(names((t) => !!t.userBinary), ['uprobe', 'uretprobe', 'usdt']);
  assert.equal(names((t) => !!t.withoutArgs), ['tracepoint']);
});

function compiled(src: string, env: Record<string, string> = {}) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return compile(src, { file: 'stdin' });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('a kprobe_multi program holds pt_regs: reg() and func work in it', () => {
  const gen = compiled('kprobe:vfs_read* { @[func] = count(); @r = reg("ip"); }', { BPFSCRIPT_KPROBE_VIA: 'multi' });
  const p = gen.meta.probes[0];
  assert.is(p.provider, 'kprobe');
  assert.ok(p.attach && 'via' in p.attach && p.attach.via === 'multi' && p.attach.funcs.includes('vfs_readv'));
});

test('a kprobe traced through fentry has no registers, and says so', () => {
  try {
    compiled('kprobe:vfs_read { @ = reg("ip"); }', { BPFSCRIPT_KPROBE_VIA: 'fentry' });
    assert.unreachable('reg() compiled in an fentry program');
  } catch (e) {
    if (!(e instanceof BpfscriptError)) throw e;
    assert.match(e.message, 'reg() is not available in kprobe probes traced through fentry/fexit');
  }
});

test('the lowered tracepoint is a raw tracepoint in both its type and its record', () => {
  const gen = compiled('tracepoint:sched:sched_switch { @ = count(); }');
  assert.equal(gen.meta.probes.map((p) => [p.provider, p.attach]), [['rawtracepoint', { name: 'sched_switch' }]]);
});

test.run();
