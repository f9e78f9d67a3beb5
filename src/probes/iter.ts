// iter:task and iter:task_file: BPF iterators. The program (section iter/OBJECT, a tracing
// program the kernel runs from read() on an iterator fd) is called once per kernel object, and its
// context is the kernel's struct bpf_iter__OBJECT: `args.task` (and for task_file `args.fd`,
// `args.file`) read its fields at the offsets the kernel's BTF gives. The runtime reads the
// iterator until EOF and then ends the session, as bpftrace does.

import { error } from '../../common/diagnostics';
import { Btf } from '../../common/kernel/btf';
import type { TracepointField, TracepointFormat } from '../../common/kernel/tracefs';
import { IntPredicate } from '../codegen/llvm';
import { ITERATOR_FIELDS } from '../../common/kernel/iterators';
import type { IterAttach } from './iter.attach';
import type { ProbeSite, ProbeType } from './types';

/** The context layout of iterator `obj` from BTF (struct bpf_iter__OBJECT), or null without BTF. */
export function iterContext(obj: string): TracepointFormat | null {
  const btf = Btf.vmlinux();
  const st = btf?.findStruct(`bpf_iter__${obj}`);
  if (!btf || !st) return null;
  const fields: TracepointField[] = [];
  for (const name of ITERATOR_FIELDS[obj] ?? []) {
    const m = btf.member(st, name);
    if (!m || m.bitOffset % 8 || m.bitSize) return null;
    const t = btf.resolve(m.type);
    const size = btf.sizeOf(m.type) ?? 8;
    // Pointers are addresses in kernel memory, read as u64 (as kfunc arguments are).
    const signed = t.kind === 'int' && t.signed;
    // Pointer fields are copied out: the verifier calls them maybe-NULL on each load (see copied).
    fields.push({ name, ctype: btf.typeName(m.type), offset: m.bitOffset / 8, size, signed, copied: t.kind === 'ptr' || undefined });
  }
  return { category: 'iter', name: obj, id: 0, fields, size: st.size };
}

export const iter: ProbeType<IterAttach> = {
  examples: [{ script: 'iter:task { if (ctx->task->pid == 1) { printf("%d\\n", ctx->task->pid); } }', output: '1\n\n\n', loadOnly: 'this kernel refuses BPF iterator programs (EPERM)' }],
  name: 'iter',
  aliases: ['it'],
  addressSpace: 'kernel',
  context: () => 'iter',
  namedArgs: 'btf-context',
  mayReadPath: true,
  ctxIsArgs: true,
  expand(ap) {
    const known = Object.keys(ITERATOR_FIELDS).join(', ');
    if (ap.parts.length !== 1 || !ap.parts[0]) throw error(`iter probe must be iter:OBJECT, got ${ap.raw}`, ap.span, `iterators: ${known}`);
    const obj = ap.parts[0];
    if (/[*?]/.test(obj)) throw error('iter probes cannot use wildcards', ap.span, `name one iterator: ${known}`);
    if (!ITERATOR_FIELDS[obj]) throw error(`iter:${obj} is not supported`, ap.span, `iterators bpfscript runs: ${known}`);
    const format = iterContext(obj);
    if (!format) {
      throw error(`iter:${obj} needs the kernel's BTF (struct bpf_iter__${obj})`, ap.span,
        'run on a kernel built with CONFIG_DEBUG_INFO_BTF (5.8 or later)');
    }
    const probe: ProbeSite<IterAttach> = { name: `iter:${obj}`, section: `iter/${obj}`, attach: { object: obj }, format, ap };
    return [probe];
  },
  argsType: (p) => ({ kind: 'args', probe: p.name }),
  // The kernel calls the program once more after the last object, with a NULL object pointer
  // (so a program can print a footer); bpftrace skips that call, and so does bpfscript.
  guard: (ctx, p) => {
    const task = p.format!.fields.find((f) => f.name === 'task')!;
    const v = ctx.b.load(ctx.i64, ctx.b.byteOffset(ctx.ctxArg, task.offset, ctx.i64));
    return ctx.b.icmp(IntPredicate.NE, v, ctx.constInt(0));
  },
};
