// Which fields of a tracepoint's record are one of its raw tracepoint's arguments, unchanged, so a
// program reading only those can run as the raw tracepoint (src/semantic/lower-raw-tracepoints.ts).
//
// A record is filled by the event's TP_fast_assign, which may compute a field (raw_syscalls:
// sys_exit's `id` is syscall_get_nr(current, regs)) or transform it (sched_switch's prev_state),
// and a raw argument of the same name is then not the field. Nothing in BTF or tracefs says which
// fields are plain copies, so this is a list checked against the kernel's include/trace/events/*.h;
// the raw argument's name, size and signedness are checked again against the running kernel's BTF
// before it is used, and any mismatch keeps the tracepoint.

import { Btf } from '../../common/kernel/btf';
import type { TracepointField, TracepointFormat } from '../../common/kernel/tracefs';
import { paramSlots } from './kfunc';
import type { RawTracepointAttach } from './rawtracepoint.attach';
import type { ExpandedProbe, ProbeType } from './types';

/** category:event → record field → the raw argument it copies (`__entry->field = argument;`). */
const COPIED: Record<string, Record<string, string>> = {
  // TP_PROTO(struct pt_regs *regs, long id): __entry->id = id
  'raw_syscalls:sys_enter': { id: 'id' },
  // TP_PROTO(struct pt_regs *regs, long ret): __entry->ret = ret
  'raw_syscalls:sys_exit': { ret: 'ret' },
  // TP_PROTO(int irq, struct irqaction *action): __entry->irq = irq
  'irq:irq_handler_entry': { irq: 'irq' },
  // TP_PROTO(int irq, struct irqaction *action, int ret)
  'irq:irq_handler_exit': { irq: 'irq', ret: 'ret' },
  // TP_PROTO(unsigned int vec_nr): __entry->vec = vec_nr
  'irq:softirq_entry': { vec: 'vec_nr' },
  'irq:softirq_exit': { vec: 'vec_nr' },
  'irq:softirq_raise': { vec: 'vec_nr' },
};

/**
 * The raw tracepoint's arguments standing for `fields` of the tracepoint's record, as a format with
 * the record's field names at the raw arguments' places; null when one of them is not a plain copy.
 */
export function rawFieldsFormat(
  tp: ExpandedProbe,
  raw: ProbeType<RawTracepointAttach>,
  rawProbe: ExpandedProbe<RawTracepointAttach>,
  fields: ReadonlySet<string>,
): TracepointFormat | null {
  const { category, name } = tp.attach as { category: string; name: string };
  const copied = COPIED[`${category}:${name}`];
  const btf = Btf.vmlinux();
  if (fields.size === 0) return { category, name, id: 0, fields: [], size: 0 };
  if (!copied || !btf || !tp.format) return null;
  const proto = raw.paramsOf?.(rawProbe);
  if (!proto) return null;
  const slots = paramSlots(btf, proto);
  const out: TracepointField[] = [];
  for (const f of fields) {
    const param = copied[f];
    const rec = tp.format.fields.find((x) => x.name === f);
    const slot = slots.find((s) => s.name === param);
    // Only integers of the record's own size and signedness: the program was type-checked against
    // the record, and a raw argument is read from the start of its 8-byte slot (little-endian).
    if (!param || !rec || !slot || rec.arrayLength !== undefined || slot.size !== rec.size || slot.signed !== rec.signed) return null;
    out.push({ name: f, ctype: rec.ctype, offset: slot.slot * 8, size: rec.size, signed: rec.signed });
  }
  return { category, name, id: 0, fields: out, size: slots.reduce((n, s) => n + s.slots, 0) * 8 };
}
