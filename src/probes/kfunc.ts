// kfunc:FUNC and kretfunc:FUNC (fentry/fexit programs; aliases f, fentry, fr, fexit). The kernel
// calls them through a BPF trampoline with the function's arguments saved as an array of u64 (the
// program's context), so `args.NAME` is a load from that array at the parameter's slot, typed from
// the function's BTF prototype; in kretfunc the return value follows the last argument.
// libbpf resolves the function's BTF id from the section name (fentry/FUNC) when it loads.

import type { AttachPoint } from '../ast';
import type { Val } from '../codegen/llvm';
import { error, missingTarget } from '../../common/diagnostics';
import type { EmitContext } from '../functions/types';
import { Btf, type BtfFunction } from '../../common/kernel/btf';
import type { TracepointField, TracepointFormat } from '../../common/kernel/tracefs';
import { kernelFunctions } from '../../common/kernel/btf-functions';
import type { KfuncAttach } from './kfunc.attach';
import type { ProbeSite, ProbeType } from './types';
import { wildcardRegex } from '../../common/wildcard';
import type { Dialect } from '../../common/dialect';

/** The trampoline saves at most this many argument slots (MAX_BPF_FUNC_ARGS). */
const MAX_SLOTS = 12;

/** How one parameter lies in the trampoline's u64 array, and how `args.NAME` reads it. */
export interface ParamSlot {
  name: string;
  ctype: string;
  /** First u64 slot. */
  slot: number;
  /** Slots taken: a struct passed by value takes two (at most 16 bytes are allowed). */
  slots: number;
  /** Bytes of the value read from the slot when it is a scalar (integer, enum, bool, pointer); 0 otherwise. */
  size: number;
  signed: boolean;
}

/** Lays the function's parameters out in the trampoline's argument array. */
export function paramSlots(btf: Btf, f: BtfFunction): ParamSlot[] {
  let slot = 0;
  return f.params.map((p, i) => {
    const t = btf.resolve(p.type);
    const size = btf.sizeOf(p.type) ?? 8;
    let scalar = 0;
    let signed = false;
    if (t.kind === 'int') {
      scalar = t.size;
      signed = t.signed;
    } else if (t.kind === 'enum' || t.kind === 'enum64') {
      scalar = t.size;
      signed = t.signed;
    } else if (t.kind === 'ptr') {
      scalar = 8;
    }
    const slots = t.kind === 'struct' || t.kind === 'union' ? Math.max(1, Math.ceil(size / 8)) : 1;
    const s: ParamSlot = { name: p.name || `arg${i}`, ctype: btf.typeName(p.type), slot, slots, size: [1, 2, 4, 8].includes(scalar) ? scalar : 0, signed };
    slot += slots;
    return s;
  });
}

/**
 * The `args` record of a kfunc as the semantic pass and codegen see tracepoint records: one field
 * per scalar parameter at its slot (x86-64 is little-endian, so a narrower integer is read from
 * the start of its slot).
 */
export function argsFormat(func: string, slots: ParamSlot[]): TracepointFormat {
  const fields: TracepointField[] = slots
    .filter((s) => s.size > 0)
    .map((s) => ({ name: s.name, ctype: s.ctype, offset: s.slot * 8, size: s.size, signed: s.signed }));
  const used = slots.reduce((n, s) => n + s.slots, 0);
  return { category: 'kfunc', name: func, id: 0, fields, size: used * 8 };
}


function kernelFunctionProbe(name: 'kfunc' | 'kretfunc', aliases: string[]): ProbeType<KfuncAttach> {
  const ret = name === 'kretfunc';
  const section = ret ? 'fexit' : 'fentry';

  // bpftrace 0.22+ calls them fentry and fexit (kfunc/kretfunc stay as aliases), and so does `probe`.
  const spelled = (d?: Dialect) => (d === '0.26' ? section : name);
  const one = (ap: AttachPoint, btf: Btf, func: string, dialect?: Dialect): ProbeSite<KfuncAttach> => {
    const f = btf.findFunc(func);
    if (!f) {
      throw missingTarget(`${name}:${func}: the kernel's BTF has no function named ${func}`, ap.span,
        `list the functions that can be traced with: bpfscript -l "${name}:*"`);
    }
    const slots = paramSlots(btf, f);
    const used = slots.reduce((n, s) => n + s.slots, 0);
    if (used > MAX_SLOTS || slots.some((s) => s.slots > 2)) {
      throw error(`${name}:${func} cannot be traced: its arguments do not fit the BPF trampoline (at most ${MAX_SLOTS} registers, structs of at most 16 bytes)`, ap.span,
        `trace it with kprobe:${func} instead`);
    }
    return {
      // bpftrace 0.17 names them with the module, vmlinux for the kernel's own functions.
      name: `${spelled(dialect)}:vmlinux:${func}`,
      section: `${section}/${func}`,
      attach: { func, btfId: f.id, retSlot: used },
      format: argsFormat(func, slots),
      ap,
    };
  };

  return {
    name,
    aliases,
    probetypeName: section,
    addressSpace: 'kernel',
    context: () => 'tracing',
    namedArgs: 'btf-params',
    mayReadPath: true,
    tracedFunction: (p) => ({ name: p.attach.func }),
    maySendSignal: true,
    expand(ap, _probe, target) {
      // kfunc:FUNC or kfunc:MODULE:FUNC; only the kernel's own functions (module vmlinux) for now.
      if (ap.parts.length < 1 || ap.parts.length > 2 || !ap.parts[ap.parts.length - 1]) {
        throw error(`${name} probe must be ${name}:function or ${name}:vmlinux:function, got ${ap.raw}`, ap.span);
      }
      const mod = ap.parts.length === 2 ? ap.parts[0] : 'vmlinux';
      const func = ap.parts[ap.parts.length - 1];
      if (mod !== 'vmlinux' && !/[*?]/.test(mod)) {
        throw error(`${name} on functions of module ${mod} is not supported yet`, ap.span, `only kernel functions (${name}:vmlinux:FUNC) can be traced with ${name}`);
      }
      if (!/^[\w.*?]+$/.test(func)) throw error(`invalid ${name} target '${func}'`, ap.span);
      const btf = Btf.vmlinux();
      if (!btf) {
        throw error(`${name} needs the kernel's BTF, and /sys/kernel/btf/vmlinux is missing`, ap.span,
          'run on a kernel built with CONFIG_DEBUG_INFO_BTF, or use kprobe/tracepoint probes');
      }
      if (!/[*?]/.test(func)) return [one(ap, btf, func, target?.dialect)];
      const re = wildcardRegex(func);
      const funcs = kernelFunctions().filter((f) => re.test(f)).sort();
      if (!funcs.length) throw missingTarget(`no kernel function matches ${func}`, ap.span, `list the functions that can be traced with: bpfscript -l "${name}:*"`);
      return funcs.map((f) => one(ap, btf, f, target?.dialect));
    },
    argsType(p) {
      return { kind: 'args', probe: p.name };
    },
    retval: ret
      ? (p) => {
          const at = p.attach.retSlot * 8;
          return (ctx: EmitContext): Val => ctx.b.load(ctx.i64, ctx.b.byteOffset(ctx.ctxArg, at, ctx.i64));
        }
      : () => null,
  };
}

export const kfunc = kernelFunctionProbe('kfunc', ['f', 'fentry']);
kfunc.examples = [{ script: 'kfunc:vfs_read { @ = 1; exit(); }', output: '\n\n@: 1\n', loadOnly: 'this kernel refuses fentry/fexit programs (EPERM; the VM lane attaches them)' }];
export const kretfunc = kernelFunctionProbe('kretfunc', ['fr', 'fexit']);
kretfunc.examples = [{ script: 'kretfunc:vfs_read { @ = 1; exit(); }', output: '\n\n@: 1\n', loadOnly: 'this kernel refuses fentry/fexit programs (EPERM; the VM lane attaches them)' }];
