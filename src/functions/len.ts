// len(ustack), len(kstack): see ./stack.ts.
// len(@m): how many keys a map holds now, counted in the probe by bpf_for_each_map_elem with a
// callback that adds one per element, as newer bpftrace (0.21+) does; bpftrace 0.17 has no len().
// Only keyed maps: a keyless map is a one-entry array whose "length" would always be 1.

import { Opcode } from '../codegen/llvm';
import { error } from '../../common/diagnostics';
import { none, s64 } from '../../common/types';
import { mapOf, wholeMapArgument } from './clear';
import type { MapRef } from '../ast';
import type { FunctionDef } from './types';
import { checkStackLen, emitStackLen, isStack } from './stack';
import { typeName } from '../type-name';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

export const len: FunctionDef = {
  examples: [{ script: 'BEGIN { @[1] = 1; @[2] = 2; printf("%d\\n", len(@)); clear(@); exit(); }', output: '2\n\n\n\n' }],
  name: 'len',
  check(ctx, call) {
    if (call.args.length !== 1) {
      ctx.error('len() takes one map or stack: len(@m), len(ustack)', call);
      return none;
    }
    const [arg] = call.args;
    if (arg.kind !== 'MapRef') {
      const t = ctx.typeOf(arg);
      if (isStack(t)) return checkStackLen(ctx, arg) ? s64 : none;
      if (t.kind !== 'none') ctx.error(`len() expects a map, ustack, or kstack, got ${typeName(t)}`, arg, 'len(@m) counts the keys of a map, len(ustack) the frames of a stack');
      return none;
    }
    return wholeMapArgument(ctx, call, 'len') ? s64 : none;
  },
  emit(ctx, call) {
    const { b, c, i64, i8p } = ctx;
    if (call.args[0].kind !== 'MapRef') return emitStackLen(ctx, call.args[0]);
    const ref = call.args[0] as MapRef;
    const map = mapOf(ctx, ref);
    if (map.info.keyType === null) {
      // bpftrace's words (len() came with 0.21, so one wording serves both dialects).
      throw error('call to len() expects a map with explicit keys (non-scalar map)', ref.span, `a keyless map always holds one value; give it keys (@${ref.name}[k] = …) to count them`);
    }
    const i64p = c.ptr(i64);
    // The count lives in map memory, whose contents the verifier does not track: a counter on the
    // stack would be a known value that grows with every simulated callback call, so a later
    // `if (len(@m) > N)` made the verifier walk every count until it gave up. The callback's
    // context (which must be on the stack) holds only the address of the count.
    const count = b.bitcast(ctx.scratch(8, 'len'), i64p);
    b.store(ctx.constInt(0), count);
    const ref8 = b.bitcast(ctx.zeroed(8, 'len_ref', true), c.ptr(i64p));
    b.store(count, ref8);
    const cb = ctx.staticFunction('len_cb', i64, [i8p, i8p, i8p, i8p], (fb, fn) => {
      const slot = fb.load(i64p, fb.bitcast(ctx.m.param(fn, 3), c.ptr(i64p)));
      fb.store(fb.binop(Opcode.Add, fb.load(i64, slot), ctx.constInt(1)), slot);
      fb.ret(ctx.constInt(0));
    });
    b.helper(BpfHelper.FOR_EACH_MAP_ELEM, i64, [i8p, i8p, i8p, i64], [b.bitcast(map.global, i8p), b.bitcast(cb, i8p), b.bitcast(ref8, i8p), ctx.constInt(0)]);
    return { type: s64, v: b.load(i64, count) };
  },
};
