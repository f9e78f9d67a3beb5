// bpftrace 0.17 refuses a string literal of more than 63 characters (64 bytes with its NUL) wherever
// it becomes data of the BPF program, whatever BPFTRACE_STRLEN says; only text that stays in user
// space is exempt: printf's format and cgroupid()'s path (resolved at compile time). Refusing them
// here also keeps a 100,000-character literal from becoming 100,000 byte stores in one program.

import type { Call, MapRef, Program, Span, StrLit } from '../ast';
import type { DiagnosticBag } from '../../common/diagnostics';

const MAX_LITERAL_BYTES = 64;

/** Arguments of these calls (by index, or every one) never reach the BPF program as data. */
const USER_SPACE_ARGS: Record<string, (i: number) => boolean> = {
  printf: (i) => i === 0,
  cgroupid: () => true,
};

export function checkStringLiterals(program: Program, diags: DiagnosticBag): void {
  const visit = (node: unknown, exempt: boolean, at?: Span): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) visit(n, false);
      return;
    }
    const n = node as { kind?: string };
    if (n.kind === 'StrLit') {
      const s = node as StrLit;
      if (!exempt && Buffer.byteLength(s.value, 'latin1') > MAX_LITERAL_BYTES - 1) {
        diags.error(`String is too long (over ${MAX_LITERAL_BYTES} bytes): ${s.value}`, at ?? s.span);
      }
      return;
    }
    // bpftrace points from the call (or map) on for its first argument (or key), at the literal
    // itself for the others.
    const from = (outer: Span, inner: Span): Span => ({ ...outer, end: inner.end, endLine: inner.endLine, endCol: inner.endCol });
    if (n.kind === 'Call') {
      const c = node as Call;
      const userSpace = USER_SPACE_ARGS[c.name];
      c.args.forEach((arg, i) => visit(arg, userSpace?.(i) ?? false, i === 0 ? from(c.span, arg.span) : undefined));
      return;
    }
    if (n.kind === 'MapRef') {
      const m = node as MapRef;
      m.keys.forEach((k, i) => visit(k, false, i === 0 ? from(m.span, k.span) : undefined));
      return;
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'span' && k !== 'nameSpan') visit(v, false);
  };
  visit(program.probes, false);
}
