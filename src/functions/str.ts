// str(ptr [, n]): the NUL-terminated string at an address, at most n characters (default: the
// configured string length minus the terminator). The read helper follows the pointer's address
// space: user memory (syscall arguments, uprobes) or kernel memory; an address of unknown origin
// uses the legacy helper, which picks by address range. Strings go to per-CPU scratch memory, so
// long ones cost no stack.

import { IntPredicate, Opcode } from '../codegen/llvm';
import { probeReadStrHelper } from '../codegen/probe-read';
import { none, stringType } from '../../common/types';
import type { FunctionDef } from './types';
import type { Expr } from '../ast';
import type { Dialect } from '../../common/dialect';

/**
 * `str($1 + N)` (or `N + $1`) of a positional parameter that is text: bpftrace 0.17 takes the
 * string from its N-th character. Undefined when `e` is not that form.
 */
function positionalSlice(e: Expr, positionals: readonly string[]): { text: string } | { error: string } | undefined {
  if (e.kind !== 'Binary' || e.op !== '+') return undefined;
  const [p, n] = e.left.kind === 'Positional' ? [e.left, e.right] : [e.right, e.left];
  if (p.kind !== 'Positional' || p.count) return undefined;
  const text = positionals[p.index - 1];
  if (text === undefined || /^-?(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(text)) return undefined;
  if (n.kind !== 'IntLit' || n.value < 0n || n.value > BigInt(text.length)) {
    return { error: `only addition of a single constant less or equal to the length of $${p.index} (which is ${text.length}) is allowed inside str()` };
  }
  return { text: text.slice(Number(n.value)) };
}

/** `str($N)` in an artifact: N, whose text the program reads from its config slot `strN`. */
function loadTimeText(e: Expr, texts: readonly number[] | undefined): number | undefined {
  return texts && e.kind === 'Positional' && !e.count && texts.includes(e.index) ? e.index : undefined;
}

/** str(x, n): bpftrace 0.17 reads n characters, 0.26 n bytes with the terminator (`str(x, 5)` keeps 4). */
const nulExtra = (dialect: Dialect): number => (dialect === '0.26' ? 0 : 1);

export const str: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%s\\n", str(curtask->comm, 3)); exit(); }', output: /^\S{3}\n\n\n$/ }],
  name: 'str',
  check(ctx, call) {
    const [src, len, ...extra] = call.args;
    if (!src || extra.length) {
      ctx.error('str() takes an address and an optional length: str(ptr [, n])', call);
      return none;
    }
    const slice = positionalSlice(src, ctx.options.positionals);
    if (slice && 'error' in slice) {
      ctx.error(slice.error, src);
      return none;
    }
    const text = loadTimeText(src, ctx.options.loadTimeTexts);
    const t = text !== undefined ? stringType(ctx.options.strLen) : slice ? stringType(Buffer.byteLength(slice.text, 'latin1') + 1) : ctx.typeOf(src);
    if (t.kind !== 'int' && t.kind !== 'string') {
      if (t.kind !== 'none') ctx.error(`str() expects an address or a string, got ${t.kind}`, src);
      return none;
    }
    let size = ctx.options.strLen;
    if (len) {
      const lt = ctx.typeOf(len);
      if (lt.kind !== 'int') {
        ctx.error('the length of str() must be an integer', len);
        return none;
      }
      if (len.kind === 'IntLit') {
        if (len.value < 0n) ctx.error('the length of str() cannot be negative', len);
        else size = Math.max(1, Math.min(Number(len.value) + nulExtra(ctx.options.dialect), size));
      }
    }
    if (t.kind === 'string') size = Math.min(size, t.size);
    // A length the script asks for cuts on purpose: no str_trunc_trailer after it.
    return len ? stringType(size) : { ...stringType(size), truncates: true };
  },
  emit(ctx, call) {
    const { b, c } = ctx;
    const t = ctx.typeOf(call);
    if (t.kind !== 'string') throw new Error('internal: str() type');
    const [src, len] = call.args;
    const buf = ctx.scratch(t.size, 'str');
    // The helper stops at the terminator: the rest must be zero for map keys to compare equal.
    b.memset(buf, 0, t.size, 8);
    const slice = positionalSlice(src, ctx.options.positionals);
    const text = loadTimeText(src, ctx.options.loadTimeTexts);
    const v = text !== undefined ? { type: stringType(ctx.options.strLen), v: ctx.configBytes(`str${text}`) } : slice && 'text' in slice ? ctx.stringConstant(slice.text) : ctx.emit(src);
    if (v.type.kind === 'string') {
      const n = Math.min(t.size - 1, v.type.size);
      if (n > 0) b.memcpy(buf, v.v, n);
      return { type: t, v: buf };
    }
    let size = ctx.constInt(t.size);
    if (len && len.kind !== 'IntLit') {
      const want = b.binop(Opcode.Add, ctx.emit(len).v, ctx.constInt(nulExtra(ctx.options.dialect)));
      size = b.select(b.icmp(IntPredicate.UGT, want, size), size, want);
    }
    const space = v.type.kind === 'int' ? v.type.space : undefined;
    const i32 = c.int(32);
    b.helper(probeReadStrHelper(space), ctx.i64, [ctx.i8p, i32, ctx.i8p], [buf, b.intCast(size, i32, false), b.intToPtr(v.v, ctx.i8p)]);
    return { type: t, v: buf };
  },
};
