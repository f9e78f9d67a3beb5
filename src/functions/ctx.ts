// ctx: the probe's context as a typed kernel pointer, where bpftrace 0.17 offers it: struct
// pt_regs * in kprobes, uprobes and usdt probes, struct bpf_perf_event_data * in perf-event probes
// (interval, profile, software, hardware, watchpoint). An iterator's ctx is its args record
// (semantic/analyze.ts handles that before builtins are looked up); tracepoints have args instead.

import { kernelBtf, pointerTo } from '../semantic/kernel-types';
import { none, type IntType, type Type } from '../../common/types';
import type { ExpandedProbe } from '../probes';
import type { BuiltinDef, CheckContext, EmitContext } from './types';

type CtxKind = 'pt_regs' | 'bpf_perf_event_data';

/** The struct ctx points at, from what the probe type says its context holds; 'args' where the
 * probe's record is its args (a tracepoint's). */
function ctxKind(p: ExpandedProbe): CtxKind | 'args' | null {
  const context = p.type.context(p);
  if (context === 'pt_regs') return 'pt_regs';
  if (context === 'perf') return 'bpf_perf_event_data';
  if (p.type.namedArgs === 'tracepoint-fields') return 'args';
  return null;
}

function ctxType(kind: CtxKind): IntType | null {
  const btf = kernelBtf();
  const s = btf?.findStruct(kind);
  return btf && s ? pointerTo(btf, s.id, 'kernel', `struct ${kind} *`) : null;
}

export const ctx: BuiltinDef = {
  name: 'ctx',
  check(c: CheckContext, node): Type {
    const kind = ctxKind(c.probe);
    if (kind === 'args') {
      c.error('Use args instead of ctx in tracepoint', node, 'a tracepoint\'s fields are args->NAME (bpfscript -lv "tracepoint:CATEGORY:NAME" lists them)');
      return none;
    }
    // bpftrace's wording for a probe whose program type has no such context (BEGIN, END, kfunc).
    if (!kind) {
      c.error('invalid program type', node, 'ctx exists in kprobe, uprobe, usdt and perf-event probes (interval, profile, software, hardware, watchpoint)');
      return none;
    }
    const t = ctxType(kind);
    if (!t) c.error(`ctx needs the kernel's BTF (/sys/kernel/btf/vmlinux) for struct ${kind}`, node);
    return t ?? none;
  },
  emit(e: EmitContext, node) {
    const type = e.typeOf(node);
    if (ctxKind(e.probe) === 'pt_regs') return { type, v: e.b.ptrToInt(e.ctxArg, e.i64) };
    // A perf-event program's context is really the kernel's bpf_perf_event_data_kern: only direct
    // loads, which the verifier rewrites, see the bpf_perf_event_data the program is promised. So
    // the struct is copied out that way, and ctx points at the copy, where any read (a probe-read,
    // a cast to another struct) finds what bpftrace shows.
    const size = kernelBtf()!.findStruct('bpf_perf_event_data')!.size;
    const copy = e.reusableSlot('perf_event_ctx', size);
    for (let off = 0; off + 8 <= size; off += 8) {
      e.b.store(e.b.load(e.i64, e.b.byteOffset(e.ctxArg, off, e.i64), '', true), e.b.byteOffset(copy, off, e.i64));
    }
    return { type, v: e.b.ptrToInt(copy, e.i64) };
  },
};
