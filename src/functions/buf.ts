// buf(data [, len]): up to len bytes (at most BPFTRACE_STRLEN) of memory as a value that prints
// hex-escaped (\x41 for what is not printable ASCII), in printf with %r, %rx, %rh, in print() and
// in maps. Laid out as bpftrace 0.17 lays it out: a length byte, then the bytes, zero-padded.

import { IntPredicate } from '../codegen/llvm';
import { probeReadHelper } from '../codegen/probe-read';
import { none, type StringType, type Type } from '../../common/types';
import type { FunctionDef, ValueFormat } from './types';
import { formatBuffer } from '../../common/format/buffer';
import { jsonString } from '../../common/format/json-string';
import { byteArrayLength } from '../semantic/blob-layout';

const bufferType = (bytes: number): StringType => ({ kind: 'string', size: bytes + 1, format: 'buffer' });

/** An integer array of any element width (`int d[4]`) is taken whole, as bpftrace takes it: its bytes. */
function arrayBytes(t: Type): number | undefined {
  if (t.kind === 'string' && t.layout?.kind === 'array' && t.layout.elem.kind === 'int') return t.size - 1;
  return byteArrayLength(t);
}

export const buf: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%r\\n", buf("ab\\x01", 3)); exit(); }', output: 'ab\\x01\n\n\n', sameAs017: true }],
  name: 'buf',
  check(ctx, call) {
    const [data, len, ...extra] = call.args;
    if (!data || extra.length) {
      ctx.error('buf() takes an address or array and an optional length: buf(data [, len])', call);
      return none;
    }
    const t = ctx.typeOf(data);
    if (t.kind === 'none') return none;
    const bytesOfArray = arrayBytes(t);
    if (t.kind !== 'int' && !(t.kind === 'string' && !t.format) && bytesOfArray === undefined) {
      ctx.error(`buf() expects an integer, string, or array argument but saw ${t.kind}`, data);
      return none;
    }
    const max = ctx.options.strLen;
    // A char array's bytes all count, the slot meant for a terminator too: bpftrace reads
    // buf(comm, 16) as 16 bytes.
    let size = bytesOfArray ?? (t.kind === 'string' ? t.size : max);
    if (!len) {
      if (t.kind === 'int') ctx.error('buf() expects a length argument for non-array type integer', call, 'for example buf(arg1, 16)');
    } else {
      const lt = ctx.typeOf(len);
      if (lt.kind !== 'int') {
        if (lt.kind !== 'none') ctx.error(`buf() expects an integer length, got ${lt.kind}`, len);
        return none;
      }
      if (len.kind === 'Unary' && len.op === '-' && len.operand.kind === 'IntLit') {
        ctx.error(`buf cannot use negative length (-${len.operand.value})`, len);
        return none;
      }
      // A string is padded with NULs to the length asked for (bpftrace's strings are buffers of
      // BPFTRACE_STRLEN bytes): buf("ok_key", 8) is ok_key\x00\x00.
      const padded = t.kind === 'string' && !t.format ? max : size;
      if (len.kind === 'IntLit') {
        if (len.value < 0n) ctx.error(`buf cannot use negative length (${len.value})`, len);
        else size = Math.min(padded, Number(len.value));
      } else size = Math.min(padded, max);
    }
    return bufferType(Math.max(Math.min(size, max), 0));
  },
  emit(ctx, call) {
    const { b, c } = ctx;
    const t = ctx.typeOf(call);
    if (t.kind !== 'string') throw new Error('internal: buf() type');
    const [data, len] = call.args;
    const bytes = t.size - 1;
    const out = ctx.zeroed(t.size, 'buf');
    const v = ctx.emit(data);
    let n = ctx.constInt(bytes);
    if (len && len.kind !== 'IntLit') {
      const want = ctx.emit(len).v;
      n = b.select(b.icmp(IntPredicate.ULE, want, n), want, n);
    }
    const i8 = c.int(8);
    b.store(b.intCast(n, i8, false), out);
    if (bytes === 0) return { type: t, v: out };
    // Strings and arrays are already in BPF memory (kernel memory to the read helper).
    const space = v.type.kind === 'int' ? v.type.space : 'kernel';
    const reader = probeReadHelper(space);
    const src = v.type.kind === 'int' ? b.intToPtr(v.v, ctx.i8p) : v.v;
    const i32 = c.int(32);
    // No read past a string's own bytes: the padding stays zero.
    const avail = v.type.kind === 'string' ? ctx.constInt(v.type.size) : null;
    const count = avail ? b.select(b.icmp(IntPredicate.ULE, n, avail), n, avail) : n;
    b.helper(reader, ctx.i64, [ctx.i8p, i32, ctx.i8p], [b.byteOffset(out, 1, i8), b.intCast(count, i32, false), src]);
    return { type: t, v: out };
  },
};

/** Decoded as the raw data bytes (a byte string), escaped (\xNN) wherever it is shown. */
export const bufferFormat: ValueFormat = {
  name: 'buffer',
  examples: [{ script: 'BEGIN { @ = buf("ab\\x01", 3); exit(); }', output: '\n\n@: ab\\x01\n', sameAs017: true }],
  decode(view, off, t) {
    const len = Math.min(view.getUint8(off), t.size - 1);
    return Buffer.from(view.buffer, view.byteOffset + off + 1, len).toString('latin1');
  },
  text: (v) => formatBuffer(String(v)),
  json: (v) => jsonString(formatBuffer(String(v))),
  printf: 'buffer',
};
