// join(argv [, sep]): the strings of a NULL-terminated array of char pointers (execve's argv),
// joined with sep (default " ") and printed on a line of their own. As in bpftrace 0.17, the
// probe copies up to 16 strings of up to 1024 bytes each into one event record; user space stops
// at the first empty one.

import { Opcode } from '../codegen/llvm';
import { probeReadHelper, probeReadStrHelper } from '../codegen/probe-read';
import { none } from '../../common/types';
import type { FunctionDef } from './types';

const ARGS = 16;
const ARG_SIZE = 1024;
const RECORD = 8 + ARGS * ARG_SIZE;

interface JoinData {
  sep: string;
  [k: string]: unknown;
}

export const join: FunctionDef = {
  name: 'join',
  check(ctx, call) {
    const [arr, sep, ...extra] = call.args;
    if (!arr || extra.length) {
      ctx.error('join() takes an array of string pointers and an optional separator: join(argv [, sep])', call);
      return none;
    }
    const t = ctx.typeOf(arr);
    if (t.kind !== 'int' && t.kind !== 'none') ctx.error(`join() only supports int or pointer arguments (${t.kind} provided)`, arr);
    if (sep && sep.kind !== 'StrLit') ctx.error('join() expects a string literal separator', sep, 'for example join(args->argv, ",")');
    ctx.addEvent(call, 'join', { sep: sep?.kind === 'StrLit' ? sep.value : ' ' } satisfies JoinData);
    return none;
  },
  emit(ctx, call) {
    const { b, c } = ctx;
    const i32 = c.int(32);
    const arr = ctx.emit(call.args[0]);
    const space = arr.type.kind === 'int' ? arr.type.space : undefined;
    const readPtr = probeReadHelper(space);
    const readStr = probeReadStrHelper(space);
    // 16 KiB: scratch memory, not zeroed, since every string slot is written by the read helper
    // (which zeroes the slot when it fails) and user space reads each only up to its NUL.
    const rec = ctx.scratch(RECORD, 'join', 'join');
    b.store(ctx.constInt(ctx.eventId(call)), b.bitcast(rec, c.ptr(ctx.i64)));
    const ptr = ctx.zeroed(8, 'join_ptr');
    for (let i = 0; i < ARGS; i++) {
      const addr = b.intToPtr(b.binop(Opcode.Add, arr.v, ctx.constInt(i * 8)), ctx.i8p);
      // A failed read leaves zero, and reading a string from address 0 fails: the slot is empty.
      b.helper(readPtr, ctx.i64, [ctx.i8p, i32, ctx.i8p], [ptr, c.constInt(i32, 8), addr]);
      const str = b.intToPtr(b.load(ctx.i64, b.bitcast(ptr, c.ptr(ctx.i64))), ctx.i8p);
      b.helper(readStr, ctx.i64, [ctx.i8p, i32, ctx.i8p], [b.byteOffset(rec, 8 + i * ARG_SIZE, c.int(8)), c.constInt(i32, ARG_SIZE), str]);
    }
    ctx.submitEvent(rec, RECORD);
    return { type: none, v: ctx.constInt(0) };
  },
  event: {
    handle(data, view, off, _len, rt) {
      const parts: string[] = [];
      const bytes = new Uint8Array(view.buffer, view.byteOffset + off + 8, ARGS * ARG_SIZE);
      for (let i = 0; i < ARGS; i++) {
        const s = bytes.subarray(i * ARG_SIZE, (i + 1) * ARG_SIZE);
        if (s[0] === 0) break;
        const nul = s.indexOf(0);
        parts.push(Buffer.from(s.subarray(0, nul < 0 ? ARG_SIZE : nul)).toString('latin1'));
      }
      rt.output.message('join', parts.join((data as JoinData).sep), true);
    },
  },
};
