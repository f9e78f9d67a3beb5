// kprobe wildcards where the kernel hides available_filter_functions (root-only, or EPERM as on
// this host): they expand over /proc/kallsyms's text symbols, compile (bpftrace 0.17's vfscount.bt
// and vfsstat.bt) and load through the verifier; attaching then fails with the clear "no kprobes"
// error on a kernel without kprobes. The VM lane (test/kernel/) attaches them for real.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertVerifies, bpfscript } from './helpers';
import { hasKprobes } from '../common/kernel/features';
import type { ProbeMeta } from '../src/compiled';
import type { KprobeAttach } from '../src/probes/kprobe.attach';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// In-process compiles ask this kernel what it allows, as the CLI does.
useLibbpfFeatureProbes();

const VFSCOUNT = 'BEGIN { printf("Tracing VFS calls... Hit Ctrl-C to end.\\n"); } kprobe:vfs_* { @[func] = count(); }';
const VFSSTAT =
  'BEGIN { printf("Tracing key VFS calls... Hit Ctrl-C to end.\\n"); }\n' +
  'kprobe:vfs_read*, kprobe:vfs_write*, kprobe:vfs_fsync, kprobe:vfs_open, kprobe:vfs_create { @[func] = count(); }\n' +
  'interval:s:1 { time(); print(@); clear(@); }\nEND { clear(@); }';

/** The kprobe sections of a compiled object (one program per matched function). */
function kprobeSections(script: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'kpw-'));
  try {
    const out = join(dir, 'x.o');
    const r = bpfscript(['--emit-elf', out, '-e', script]);
    assert.is(r.stderr, '', script);
    assert.is(r.status, 0);
    // Section names are NUL-terminated in .shstrtab; "kprobe/NAME" is unambiguous there.
    return [...readFileSync(out, 'latin1').matchAll(/(?<=\0)kprobe\/([\w.]+)(?=\0)/g)].map((m) => m[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('vfscount.bt: kprobe:vfs_* compiles to one program per traceable vfs_ function', () => {
  const funcs = kprobeSections(VFSCOUNT);
  for (const f of ['vfs_read', 'vfs_write', 'vfs_open', 'vfs_fsync']) assert.ok(funcs.includes(f), f);
  assert.ok(funcs.every((f) => f.startsWith('vfs_')));
  // Never a split-off fragment, and never freed __init code (kprobes cannot sit there).
  assert.not.ok(funcs.some((f) => f.endsWith('.cold')), '.cold fragments');
  assert.not.ok(funcs.includes('vfs_caches_init'), '__init function');
  assert.is(new Set(funcs).size, funcs.length, 'each function once');
});

test('vfsstat.bt: several wildcards and exact names compile together', () => {
  const funcs = kprobeSections(VFSSTAT);
  for (const f of ['vfs_read', 'vfs_readv', 'vfs_write', 'vfs_writev', 'vfs_fsync', 'vfs_open', 'vfs_create']) assert.ok(funcs.includes(f), f);
  assert.ok(funcs.every((f) => /^vfs_(read|write|fsync$|open$|create$)/.test(f)), funcs.join(' '));
});

test('kprobe wildcard programs pass the verifier', async () => {
  const { compile } = await import('../src/compile');
  const src = 'kprobe:vfs_read* { @[func] = count(); }';
  assertVerifies(compile(src, { file: 'stdin' }).elf, src);
});

test('with kprobe_multi a wildcard is one program; func from the kernel; it passes the verifier', async () => {
  // The host has no kprobes, so the choice is forced; the VM lane checks the automatic one on 6.12.
  const { compile } = await import('../src/compile');
  const env = process.env.BPFSCRIPT_KPROBE_VIA;
  process.env.BPFSCRIPT_KPROBE_VIA = 'multi';
  try {
    for (const src of ['kprobe:vfs_read* { @[func] = count(); }', 'kretprobe:vfs_read* { @[func, retval] = count(); }']) {
      const gen = compile(src, { file: 'stdin' });
      assert.is(gen.meta.probes.length, 1, src);
      const p = gen.meta.probes[0] as ProbeMeta<KprobeAttach>;
      assert.is(p.name, src.startsWith('kret') ? 'kretprobe:vfs_read*' : 'kprobe:vfs_read*');
      assert.is(p.attach.via, 'multi');
      assert.ok(p.attach.via === 'multi' && p.attach.funcs.includes('vfs_readv'));
      assertVerifies(gen.elf, src);
    }
    // `probe` must be a constant per program: one program per match, as bpftrace 0.17 does.
    const per = compile('kprobe:vfs_read* { @[probe] = count(); }', { file: 'stdin' });
    assert.ok(per.meta.probes.length > 1);
    assert.ok((per.meta.probes as ProbeMeta<KprobeAttach>[]).every((p) => p.attach.via === 'kprobe'));
  } finally {
    if (env === undefined) delete process.env.BPFSCRIPT_KPROBE_VIA;
    else process.env.BPFSCRIPT_KPROBE_VIA = env;
  }
});

test('fentry standing in for kprobes: fentry/fexit programs under the kprobe names', async () => {
  const { compile } = await import('../src/compile');
  const env = process.env.BPFSCRIPT_KPROBE_VIA;
  process.env.BPFSCRIPT_KPROBE_VIA = 'fentry';
  try {
    const gen = compile('kprobe:vfs_read { @[arg2] = count(); } kretprobe:vfs_read { @[retval] = count(); }', { file: 'stdin' });
    assert.equal((gen.meta.probes as ProbeMeta<KprobeAttach>[]).map((p) => [p.name, p.attach.via]), [['kprobe:vfs_read', 'fentry'], ['kretprobe:vfs_read', 'fentry']]);
    const elf = gen.elf.toString('latin1');
    assert.ok(elf.includes('\0fentry/vfs_read\0') && elf.includes('\0fexit/vfs_read\0'));
  } finally {
    if (env === undefined) delete process.env.BPFSCRIPT_KPROBE_VIA;
    else process.env.BPFSCRIPT_KPROBE_VIA = env;
  }
});

test('a wildcard that matches nothing is an error naming the pattern', () => {
  const r = bpfscript(['-e', 'kprobe:no_such_function_* { }']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /ERROR: no kernel function matches no_such_function_\*/);
});

test('attaching the expanded probes without kprobes fails with the clear error, nothing attached', () => {
  if (hasKprobes()) return; // the VM lane attaches them for real
  const r = bpfscript(['-e', VFSCOUNT]);
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^ERROR: cannot attach kprobe:vfs_\w+: this kernel has no kprobe support/);
});

test('a kretprobe on a spinlock function is refused as bpftrace refuses it, and a wildcard leaves those out', () => {
  for (const f of ['_raw_spin_lock', 'queued_spin_lock_slowpath', '_raw_spin_unlock_irqrestore', '_raw_spin_lock_irqsave']) {
    const r = bpfscript(['--emit-elf', '/dev/null', '-e', `kretprobe:${f} { exit(); }`]);
    assert.is(r.status, 1);
    assert.match(r.stderr, `ERROR: error: kretprobe:${f} can't be used as it might lock up your system.`);
    assert.match(r.stderr, /^stdin:1:1-\d+: /);
  }
  const dir = mkdtempSync(join(tmpdir(), 'kpw-'));
  try {
    const r = bpfscript(['--emit-elf', join(dir, 'x.o'), '-e', 'kretprobe:_raw_spin_lock* { @ = count(); }']);
    assert.is(r.status, 0, r.stderr);
    const sections = [...readFileSync(join(dir, 'x.o'), 'latin1').matchAll(/(?<=\0)(?:kretprobe|fexit)\/([\w.]+)(?=\0)/g)].map((m) => m[1]);
    assert.ok(sections.length > 0, 'other _raw_spin_lock* functions are traced');
    assert.not.ok(sections.includes('_raw_spin_lock') || sections.includes('_raw_spin_lock_irqsave'), sections.join(' '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // A kprobe (not a kretprobe) on them is allowed, as in bpftrace.
  assert.is(bpfscript(['--emit-elf', '/dev/null', '-e', 'kprobe:_raw_spin_lock { @ = count(); }']).status, 0);
});

test.run();
