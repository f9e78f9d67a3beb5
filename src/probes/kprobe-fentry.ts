// Whether a kprobe/kretprobe program has an equivalent fentry/fexit program, its "twin". The
// compiler emits both; the runtime loads and attaches the twin where the kernel takes tracing
// programs and keeps the kprobe as the fallback (runtime/attach/twin.ts). A BPF trampoline costs
// about half a kprobe per call (issue 16: kprobe ~23 ns, fentry ~9 on an empty program; 110 vs 48
// ns on a real function with mitigations on).
//
// The twin must print what the kprobe prints, so only bodies whose every read means the same in
// both contexts get one:
// - no pt_regs: reg(), ctx, sargN (stack arguments), usermode(), override() (bpf_override_return
//   is kprobe-only), kstack (the trampoline's frames would show in it);
// - argN only for parameters that fill their 8-byte slot (pointers, longs, size_t): the kprobe
//   reads the whole register, while kernels before 6.3 save only a narrower parameter's own bytes
//   in the trampoline's slot, leaving the rest of it stale;
// - an exact function of the kernel itself (no offset, wildcard or module), with BTF.

import type { Probe } from '../ast';
import { Btf } from '../../common/kernel/btf';
import { paramSlots } from './kfunc';
import type { KprobeAttach } from './kprobe.attach';
import type { ExpandedProbe, ProbeSite } from './types';

/** The trampoline saves at most this many u64 argument slots (MAX_BPF_FUNC_ARGS). */
const MAX_SLOTS = 12;

/** Builtins and functions that read the kprobe's struct pt_regs (or its stack), by name. */
const NEEDS_PT_REGS = /^(reg|ctx|usermode|override|kstack|sarg\d+)$/;

/** What a probe's predicate and body (and the script's macros) read: the argN indexes, and
 * whether anything needs pt_regs. The AST is plain data, walked as such. */
function reads(roots: unknown[]): { args: Set<number>; ptRegs: boolean } {
  const args = new Set<number>();
  let ptRegs = false;
  const seen = new Set<object>();
  const walk = (node: unknown): void => {
    if (ptRegs || node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    const n = node as { kind?: string; name?: unknown };
    if ((n.kind === 'Builtin' || n.kind === 'Call') && typeof n.name === 'string') {
      if (NEEDS_PT_REGS.test(n.name) || n.name === 'args') ptRegs = true;
      const a = /^arg(\d+)$/.exec(n.name);
      if (a && n.kind === 'Builtin') args.add(Number(a[1]));
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === 'span' || k === 'nameSpan' || k === 'attachPoints') continue;
      if (Array.isArray(v)) v.forEach(walk);
      else walk(v);
    }
  };
  roots.forEach(walk);
  return { args, ptRegs };
}

/**
 * The fentry (kprobe) or fexit (kretprobe) program standing in for this kprobe, or null when the
 * body or the function rules one out. `macros`: the script's macro definitions (a macro that reads
 * registers rules the twin out, conservatively, as it may be expanded anywhere).
 */
export function fentryTwin(p: ExpandedProbe<KprobeAttach>, probe: Probe, macros: unknown[]): ProbeSite<KprobeAttach> | null {
  const a = p.attach;
  if (a.via !== 'kprobe' || a.offset !== 0) return null;
  const parts = p.ap.parts;
  if (/[*?]/.test(parts[parts.length - 1] ?? '*') || (parts.length === 2 && parts[0] !== 'vmlinux')) return null;
  const btf = Btf.vmlinux();
  const f = btf?.findFunc(a.func);
  if (!btf || !f || f.variadic) return null;
  const slots = paramSlots(btf, f);
  const used = slots.reduce((n, s) => n + s.slots, 0);
  if (used > MAX_SLOTS || slots.some((s) => s.slots > 2)) return null;
  const r = reads([probe.predicate, probe.body, macros]);
  if (r.ptRegs) return null;
  for (const n of r.args) {
    const s = slots.find((x) => x.slot === n);
    if (!s || s.size !== 8) return null;
  }
  return {
    name: p.name,
    section: `${a.retprobe ? 'fexit' : 'fentry'}/${a.func}`,
    attach: { func: a.func, retprobe: a.retprobe, via: 'fentry', retSlot: used, twin: true },
    ap: p.ap,
  };
}
