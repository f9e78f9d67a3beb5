// kprobe:func, kprobe:func+offset, kprobe:module:func and kretprobe:func. Wildcards expand over
// the kernel's traceable functions (available_filter_functions, else kallsyms: common/kernel/kprobe-functions).
// The mechanism is the running kernel's best (common/kernel/kprobe-mechanism.ts): a wildcard becomes
// ONE kprobe_multi program where the kernel has it (`func` then comes from the function's address
// at run time), else one program per function; without kprobes but with BPF trampolines each
// function is traced through fentry/fexit, arguments read from the trampoline's u64 array.

import type { AttachPoint, Probe } from '../ast';
import type { Val } from '../codegen/llvm';
import { error, missingTarget } from '../../common/diagnostics';
import type { EmitContext } from '../functions/types';
import { kprobeMechanism } from '../../common/kernel/kprobe-mechanism';
import { Btf } from '../../common/kernel/btf';
import { functionsOfModule, kernelFunctions } from '../../common/kernel/kprobe-functions';
import { paramSlots } from './kfunc';
import { fentryTwin } from './kprobe-fentry';
import { ptRegsArgs, ptRegsRetval } from './pt-regs';
import type { KprobeAttach } from './kprobe.attach';
import type { ExpandTarget, ProbeSite, ProbeType } from './types';
import { badKprobeFunction, checkKprobeTarget } from './kprobe-traceable';
import { wildcardRegex } from '../../common/wildcard';

/** Whether the probe's body or predicate names the `probe` builtin (any object tree walk). */
function usesProbeBuiltin(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  const n = node as { kind?: string; name?: string };
  if (n.kind === 'Builtin' && n.name === 'probe') return true;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'span' || k === 'attachPoints') continue;
    if (Array.isArray(v) ? v.some(usesProbeBuiltin) : usesProbeBuiltin(v)) return true;
  }
  return false;
}

/**
 * Functions whose kretprobe can deadlock the kernel: the return trampoline itself takes the locks
 * these functions handle. bpftrace refuses them with this wording; scripts may match on it.
 */
const BANNED_KRETPROBES = new Set(['_raw_spin_lock', '_raw_spin_lock_irqsave', '_raw_spin_unlock_irqrestore', 'queued_spin_lock_slowpath']);

const slotLoad = (ctx: EmitContext, slot: number): Val => ctx.b.load(ctx.i64, ctx.b.byteOffset(ctx.ctxArg, slot * 8, ctx.i64));

function kernelProbe(name: 'kprobe' | 'kretprobe', aliases: string[]): ProbeType<KprobeAttach> {
  const ret = name === 'kretprobe';
  const one = (ap: AttachPoint, func: string, offset: number): ProbeSite<KprobeAttach> => ({
    name: `${name}:${func}${offset ? `+${offset}` : ''}`,
    section: `${name}/${func}${offset ? `+${offset}` : ''}`,
    attach: { func, offset, retprobe: ret, via: 'kprobe' },
    ap,
  });
  /** fentry/fexit standing in for a kprobe: same probe name, trampoline context. */
  const viaFentry = (ap: AttachPoint, func: string): ProbeSite<KprobeAttach> => {
    const btf = Btf.vmlinux();
    const f = btf?.findFunc(func);
    if (!btf || !f) {
      throw missingTarget(`${name}:${func}: this kernel has no kprobes, and fentry needs ${func} in the kernel's BTF`, ap.span,
        'trace a tracepoint instead (bpfscript -l "tracepoint:*")');
    }
    const retSlot = paramSlots(btf, f).reduce((n, s) => n + s.slots, 0);
    return { name: `${name}:${func}`, section: `${ret ? 'fexit' : 'fentry'}/${func}`, attach: { func, retprobe: ret, via: 'fentry', retSlot }, ap };
  };
  return {
    name,
    aliases,
    addressSpace: 'kernel',
    stackArgs: !ret,
    context: (p) => (p.attach.via === 'fentry' ? 'tracing' : 'pt_regs'),
    tracedThrough: (p) => (p.attach.via === 'fentry' ? 'fentry/fexit' : undefined),
    // A kprobe_multi program serves every match: the kernel names the function that fired.
    tracedFunction: (p) => (p.attach.via === 'multi' ? { longest: p.attach.funcLen } : { name: p.attach.func }),
    mayOverrideReturn: !ret,
    maySendSignal: true,
    twin: fentryTwin,
    expand(ap, probe?: Probe, on?: ExpandTarget) {
      // kprobe:func, kprobe:module:func (the function must be the module's; `vmlinux` is the kernel's)
      const target = ap.parts[ap.parts.length - 1] ?? '';
      if (!target || ap.parts.length > 2) throw error(`${name} probe must be ${name}:function or ${name}:module:function, got ${ap.raw}`, ap.span);
      const module = ap.parts.length === 2 && ap.parts[0] ? ap.parts[0] : undefined;
      const m = /^([\w.*?]+)(?:\+(\d+|0x[0-9a-fA-F]+))?$/.exec(target);
      if (!m) throw error(`invalid ${name} target '${target}'`, ap.span);
      const offset = m[2] ? Number(m[2]) : 0;
      if (offset && ret) throw error('kretprobe cannot take an offset', ap.span);
      const wildcard = /[*?]/.test(m[1]);
      if (on?.dialect === '0.26') checkKprobeTarget(name, ap, module, m[1], !!on.unsafe);
      if (ret && BANNED_KRETPROBES.has(m[1])) {
        throw error(`error: kretprobe:${m[1]} can't be used as it might lock up your system.`, ap.span, 'a kretprobe on a spinlock function can deadlock the kernel: trace its caller, or use kprobe');
      }
      const via = kprobeMechanism({ wildcard, offset: offset !== 0, perMatch: usesProbeBuiltin(probe) });
      let funcs = [m[1]];
      const ofModule = module === undefined ? null : functionsOfModule(wildcardRegex(module));
      if (ofModule && !wildcard && !ofModule.has(m[1])) {
        throw error(`No matches for ${name} ${module}:${m[1]}`, ap.span, `${m[1]} is not a function of ${module === 'vmlinux' ? 'the kernel itself (vmlinux)' : `module ${module}`}: list them with bpfscript -l "${name}:${module}:*"`);
      }
      if (wildcard) {
        const re = wildcardRegex(m[1]);
        const bad = on?.dialect === '0.26' ? badKprobeFunction : () => false;
        funcs = [...new Set(kernelFunctions().names.filter((f) => re.test(f) && !bad(f) && !(ret && BANNED_KRETPROBES.has(f)) && (!ofModule || ofModule.has(f))))];
        if (!funcs.length) {
          throw missingTarget(`no kernel function matches ${m[1]}`, ap.span, 'this kernel may have no kprobe support; list what can be traced with: bpfscript -l "kprobe:*"');
        }
      }
      if (via === 'fentry') {
        // Functions without BTF (or with arguments the trampoline cannot carry) are left out of a wildcard.
        if (!wildcard) return [viaFentry(ap, m[1])];
        const btf = Btf.vmlinux();
        return funcs.filter((f) => btf?.findFunc(f)).map((f) => viaFentry(ap, f));
      }
      if (via === 'multi') {
        // bpftrace 0.17 names a multi probe by its pattern and counts it as one probe.
        const pattern = m[1];
        const longest = funcs.reduce((n, f) => Math.max(n, f.length), 0);
        return [{
          name: `${name}:${pattern}`,
          section: `${name}.multi/${pattern}`,
          attach: { funcs, pattern, retprobe: ret, via: 'multi', funcLen: longest },
          ap,
        }];
      }
      return funcs.map((f) => one(ap, f, wildcard ? 0 : offset));
    },
    args: ret
      ? undefined
      : { count: ptRegsArgs.count, read: (ctx, n, p) => (p.attach.via === 'fentry' ? slotLoad(ctx, n) : ptRegsArgs.read(ctx, n)) },
    retval: (p) => {
      if (!ret) return null;
      const a = p.attach;
      if (a.via === 'fentry') return (ctx: EmitContext) => slotLoad(ctx, a.retSlot);
      return ptRegsRetval;
    },
  };
}

export const kprobe = kernelProbe('kprobe', ['k']);
kprobe.examples = [{ script: 'kprobe:vfs_read { @ = count(); exit(); }', output: '\n\n@: 1\n', loadOnly: 'kprobes are compiled out of this kernel and fentry programs are refused (the VM lane attaches them)' }];
export const kretprobe = kernelProbe('kretprobe', ['kr']);
kretprobe.examples = [{ script: 'kretprobe:vfs_read { @ = 1; exit(); }', output: '\n\n@: 1\n', loadOnly: 'kprobes are compiled out of this kernel and fentry programs are refused (the VM lane attaches them)' }];
