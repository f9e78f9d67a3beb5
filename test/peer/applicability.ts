// Which of bpftrace's runtime tests this machine can judge. A kernel without kprobes (no kprobe
// PMU) or one that refuses tracing programs (fentry/fexit) compiles and verifies such probes but
// cannot attach them; a test that needs one attached says nothing about bpfscript here, so it is
// set aside with that reason and counted apart ("run in the VM lane"), not failed.
//
// A test needs an attachment when it expects to succeed and names a kprobe-family probe on a
// function the kernel has (a probe on a function it lacks is dropped by missing_probes, never
// attached). A test that expects to fail (WILL_FAIL, a non-zero RETURN_CODE) stays applicable:
// its message comes from the compiler, or from an attach that fails here as it would anywhere.
// Listing (-l) never attaches. The machine's answer comes from the same feature probes bpfscript
// itself asks (common/kernel/features.ts), once per run.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kernelFunctions } from '../../common/kernel/kprobe-functions';
import { hasKprobes, tracingRefused } from '../../common/kernel/features';
import { useLibbpfFeatureProbes } from '../../runtime/feature-probes';
import type { PeerTest } from './parse';

export interface AttachCapabilities {
  kprobe: boolean;
  fentry: boolean;
}

export function attachCapabilities(): AttachCapabilities {
  useLibbpfFeatureProbes();
  return { kprobe: hasKprobes(), fentry: tracingRefused() === null };
}

type Family = 'kprobe' | 'fentry';

const LONG: Record<string, Family> = { kprobe: 'kprobe', kretprobe: 'kprobe', fentry: 'fentry', fexit: 'fentry', kfunc: 'fentry', kretfunc: 'fentry' };
const SHORT: Record<string, Family> = { k: 'kprobe', kr: 'kprobe', f: 'fentry', fr: 'fentry' };

/** Kprobe-family attach points in a program's text: the family and the target (`[module:]function`). */
export function kernelProbes(text: string): { family: Family; target: string }[] {
  const out: { family: Family; target: string }[] = [];
  // A probe starts a line or follows a separator; a short alias must be followed by a name (so a
  // bitfield `f:15` or a ternary `a ? k : f` is no probe).
  const re = /(?:^|[\s,{};'"])(kprobe|kretprobe|fentry|fexit|kfunc|kretfunc|kr|fr|k|f):([A-Za-z_*0-9][\w.*:+-]*)/g;
  for (const m of text.matchAll(re)) {
    const long = LONG[m[1]];
    if (!long && !/^[A-Za-z_*]/.test(m[2])) continue;
    out.push({ family: long ?? SHORT[m[1]], target: m[2] });
  }
  return out;
}

function globRe(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|\\[\]?]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/** Whether the kernel has a function the target names (a wildcard: any match). */
function exists(target: string, functions: readonly string[]): boolean {
  const parts = target.replace(/\+.*$/, '').split(':');
  const fn = parts[parts.length - 1];
  // An address or a BPF program (fentry:bpf:…): assume it is there.
  if (/^(0x[0-9a-f]+|\d+)$/i.test(fn) || parts[0] === 'bpf') return true;
  if (!fn.includes('*')) return functions.includes(fn);
  const re = globRe(fn);
  return functions.some((f) => re.test(f));
}

/**
 * Why the test cannot be judged on this machine (a probe type it cannot attach), or null. With
 * NOTHING for `caps`, the tests the VM lane is for (`--vm-lane`).
 */
export function attachReason(t: PeerTest, caps: AttachCapabilities, cwd: string): string | null {
  if (t.willFail || t.returnCode !== 0 || listsOnly(t.run)) return null;
  const text = [t.run, t.prog ?? '', ...scripts(t.run, cwd)].join('\n');
  const missing = new Set<Family>();
  for (const p of kernelProbes(text)) {
    if (caps[p.family]) continue;
    if (exists(p.target, functions())) missing.add(p.family);
  }
  if (!missing.size) return null;
  const what = [...missing].map((f) => (f === 'kprobe' ? 'kprobe/kretprobe' : 'fentry/fexit')).join(' and ');
  return `needs ${what} attached, which this kernel cannot (VM lane)`;
}

/** Whether every bpftrace in the command only lists (-l, -lv, --list): nothing attaches. */
function listsOnly(run: string): boolean {
  const calls = run.replace(/'[^']*'|"[^"]*"/g, ' ').split('{{BPFTRACE}}').slice(1).map((c) => c.split(/[|;&]/)[0]);
  return calls.length > 0 && calls.every((c) => /(^|\s)(-l\w*|-\w*l|--list)(\s|$)/.test(c));
}

/** The texts of the .bt scripts a command runs (runtime/scripts/…). */
function scripts(run: string, cwd: string): string[] {
  return [...run.matchAll(/(\S+\.bt)\b/g)].map((m) => join(cwd, m[1])).filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8'));
}

export const NOTHING: AttachCapabilities = { kprobe: false, fentry: false };

let cached: string[] | undefined;
/** The kernel's functions as bpfscript expands kprobes over them (kallsyms when tracefs hides its list). */
function functions(): string[] {
  return (cached ??= kernelFunctions().names);
}
