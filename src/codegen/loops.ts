// Loops whose bodies are callbacks of BPF helpers: `for ($kv : @m)` through
// bpf_for_each_map_elem and `for ($i : a..b)` through bpf_loop. Each body is a static function
// emitted by a ProbeEmitter of its own (own stack, slots and scratch map).

import type { Block as AstBlock, For, MapRef, Range } from '../ast';
import type { AnalyzedProbe, MapInfo } from '../semantic/checked-program';
import { sizeOf, tupleLayout, type Type } from '../../common/types';
import { ProbeEmitter } from './emit-context';
import { emitExpr } from './expressions';
import { Builder, DW_ATE_signed, IntPredicate, Linkage, Opcode, type Fn, type Ty, type Val } from './llvm';
import { block } from './statements';
import { varSlot } from './slots';
import { BpfHelper } from '../../common/kernel/bpf-helpers';
import { readAggregate } from './agg-read';

const LOOP_MAX = 1 << 23;

/**
 * The context a loop's callback receives, 8-byte slots on the caller's stack: the probe's
 * context, the flag the callback sets when it ends the probe (return, exit()), a range's first
 * value, then a pointer to the slot of each probe variable the body names, which the callback's
 * emitter uses as those variables' slots.
 */
const CTX_PROBE = 0;
const CTX_RETURNED = 1;
const CTX_START = 2;
const CTX_VARS = 3;

interface Callback {
  /** Its type, the position of its context parameter and the value that stops the loop. */
  ret: Ty;
  params: Ty[];
  ctxParam: number;
  stop: Val;
  paramNames: string[];
  /** The body, emitted by the callback's own emitter (own stack, slots and scratch map). */
  emit: (e: ProbeEmitter, ctxField: (i: number, t: Ty) => Val) => void;
}

/**
 * Emits `s`'s body as a static callback, fills its context on this stack and returns it with the
 * callback; after the helper's call, endLoop() ends the probe when the body did.
 */
function callback(em: ProbeEmitter, s: For, cb: Callback): { fn: Fn; ctxRef: Val } {
  const { c, i8p } = em;
  const vars = em.a.forLoops.get(s)!;
  const shared = [...namedVars(s.body)].filter((n) => n !== s.variable.name && vars.has(n));
  const name = `${em.p.progName}_for${em.statics.size}`;
  const fn = em.m.addFunction(name, c.fnType(cb.ret, cb.params));
  em.m.setLinkage(fn, Linkage.Internal);
  em.statics.set(name, fn);
  const { di } = em.parts;
  const long = di.basic('long', 64, DW_ATE_signed);
  const sp = di.function(fn, name, s.span.line, cb.ret === em.i64 ? long : di.basic('int', 32, DW_ATE_signed), cb.paramNames.map((n, i) => ({ name: n, type: cb.params[i] === em.i64 ? long : di.pointer(null) })), true);
  const cbb = new Builder(c);
  try {
    cbb.setDebugLocation(di.location(s.span.line, s.span.col, sp));
    const slotOf = (fb: Builder, i: number) => fb.byteOffset(em.m.param(fn, cb.ctxParam), i * 8, c.int(8));
    const field = (fb: Builder, i: number, t: Ty) => fb.load(t, fb.bitcast(slotOf(fb, i), c.ptr(t)));
    const loopProbe: AnalyzedProbe = { ...em.p, progName: name, variables: vars };
    const parts = { c, m: em.m, b: cbb, di, fn, sp, abort: cb.stop, returned: (fb: Builder) => slotOf(fb, CTX_RETURNED) };
    const e = new ProbeEmitter(em.a, loopProbe, parts, em.g, (fb) => field(fb, CTX_PROBE, i8p));
    shared.forEach((v, i) => e.vars.set(v, field(cbb, CTX_VARS + i, i8p)));
    cb.emit(e, (i, t) => field(cbb, i, t));
  } finally {
    cbb.dispose();
  }
  di.finalizeSubprogram(sp);
  const { b } = em;
  const ctxRef = em.zeroed(8 * (CTX_VARS + shared.length), 'for_ctx', true);
  const put = (i: number, v: Val, t: Ty) => b.store(v, b.bitcast(b.byteOffset(ctxRef, i * 8, c.int(8)), c.ptr(t)));
  put(CTX_PROBE, em.ctxArg, i8p);
  // The slots are zeroed once per program: a loop run again (in another loop) starts afresh.
  put(CTX_RETURNED, em.constInt(0), em.i64);
  shared.forEach((v, i) => put(CTX_VARS + i, varSlot(em, v), i8p));
  return { fn, ctxRef };
}

/** After a loop's helper call: when the body ended the probe (return, exit()), so does this function. */
function endLoop(em: ProbeEmitter, ctxRef: Val): void {
  const { b, c } = em;
  const flag = b.load(em.i64, b.bitcast(b.byteOffset(ctxRef, CTX_RETURNED * 8, c.int(8)), c.ptr(em.i64)));
  const out = b.appendBlock(em.parts.fn, 'for_returned');
  const on = b.appendBlock(em.parts.fn, 'for_done');
  b.condBr(b.icmp(IntPredicate.NE, flag, em.constInt(0)), out, on);
  b.positionAtEnd(out);
  em.returnEarly();
  b.positionAtEnd(on);
}

/**
 * `for ($kv : @m) { … }`: bpf_for_each_map_elem calls a static callback per element; $kv is
 * copied from the element's key and value (an aggregation's value read over every CPU).
 */
export function forMap(em: ProbeEmitter, s: For): void {
  if (s.iterable.kind === 'Range') return forRange(em, s, s.iterable);
  const { b, c, i8p } = em;
  const { info, global } = em.g.map(`@${(s.iterable as MapRef).name}`);
  const i32 = c.int(32);
  const { fn, ctxRef } = callback(em, s, {
    ret: i32,
    params: [i8p, i8p, i8p, i8p],
    ctxParam: 3,
    stop: c.constInt(i32, 1),
    paramNames: ['map', 'key', 'value', 'ctx'],
    emit: (e) => emitLoopBody(e, s, info, global),
  });
  b.helper(BpfHelper.FOR_EACH_MAP_ELEM, em.i64, [i8p, i8p, i8p, em.i64], [b.bitcast(global, i8p), b.bitcast(fn, i8p), ctxRef, em.constInt(0)]);
  endLoop(em, ctxRef);
}

/** The callback's body: `$kv` from the element's key and value, then the statements; break stops the walk. */
function emitLoopBody(em: ProbeEmitter, s: For, info: MapInfo, global: Val): void {
  const { b, c } = em;
  const fn = em.parts.fn;
  const i32 = c.int(32);
  const body = b.appendBlock(fn, 'body');
  b.positionAtEnd(body);
  em.at(s.span);
  const kv = em.p.variables.get(s.variable.name)! as Extract<Type, { kind: 'tuple' }>;
  const slot = varSlot(em, s.variable.name);
  const { offsets } = tupleLayout(kv);
  const keyCopy = b.byteOffset(slot, offsets[0], c.int(8));
  b.memcpy(keyCopy, em.m.param(fn, 1), sizeOf(info.keyType!), 1);
  const value = b.byteOffset(slot, offsets[1], c.int(8));
  if (info.aggregate) em.storeValue(readAggregate(em, info, global, keyCopy), value, kv.elems[1]);
  else b.memcpy(value, em.m.param(fn, 2), sizeOf(info.valueType), 1);
  loopCallbackBody(em, fn, s.body, c.constInt(i32, 1), c.constInt(i32, 0));
  b.positionAtEnd(em.allocaBlock);
  em.at(s.span);
  if (em.scratchSlot) em.initScratch(body);
  else b.br(body);
}

/** `for ($i : a..b) { … }`: bpf_loop (5.17+) calls a static callback b-a times. */
function forRange(em: ProbeEmitter, s: For, r: Range): void {
  const { b, c, i8p, i64 } = em;
  const start = emitExpr(em, r.start).v;
  const n = b.binop(Opcode.Sub, emitExpr(em, r.end).v, start);
  // nr_loops is a u32 and bpf_loop refuses more than 1 << 23 (E2BIG, no iterations): clamp
  // rather than truncate, so an over-long range runs nothing instead of a wrong count.
  const pos = b.select(b.icmp(IntPredicate.SGT, n, em.constInt(0)), n, em.constInt(0));
  const iters = b.select(b.icmp(IntPredicate.UGT, pos, em.constInt(LOOP_MAX)), em.constInt(LOOP_MAX + 1), pos);
  const { fn, ctxRef } = callback(em, s, {
    ret: i64,
    params: [i64, i8p],
    ctxParam: 1,
    stop: c.constInt(i64, 1),
    paramNames: ['index', 'ctx'],
    emit: (e, field) => emitRangeBody(e, s, field(CTX_START, i64)),
  });
  b.store(start, b.bitcast(b.byteOffset(ctxRef, CTX_START * 8, c.int(8)), c.ptr(i64)));
  // An empty range skips the call: when the verifier knows the count is 0 it never walks the
  // callback, drops it as dead code, and then fails on the call's reference to it (6.18).
  const go = b.appendBlock(em.parts.fn, 'for_range');
  const done = b.appendBlock(em.parts.fn, 'for_range_end');
  b.condBr(b.icmp(IntPredicate.NE, pos, em.constInt(0)), go, done);
  b.positionAtEnd(go);
  b.helper(BpfHelper.LOOP, i64, [c.int(32), i8p, i8p, i64], [b.intCast(iters, c.int(32), false), b.bitcast(fn, i8p), ctxRef, em.constInt(0)]);
  endLoop(em, ctxRef);
  b.br(done);
  b.positionAtEnd(done);
}

/**
 * The body of a loop compiled as a helper's callback (map or range): `break` returns `stop` (the
 * helper ends the iteration), falling off the end or `continue` returns `next`.
 */
export function loopCallbackBody(em: ProbeEmitter, fn: Fn, body: AstBlock, stop: Val, next: Val): void {
  const b = em.b;
  const stopBlock = b.appendBlock(fn, 'for_stop');
  const nextBlock = b.appendBlock(fn, 'for_next');
  em.loops.push({ brk: stopBlock, cont: nextBlock });
  block(em, body);
  em.loops.pop();
  if (!b.terminated) b.br(nextBlock);
  b.positionAtEnd(stopBlock);
  b.ret(stop);
  b.positionAtEnd(nextBlock);
  b.ret(next);
}

/** The callback's body: `$i = a + index`, then the statements; break ends the loop (returns 1). */
function emitRangeBody(em: ProbeEmitter, s: For, first: Val): void {
  const { b, c } = em;
  const fn = em.parts.fn;
  const body = b.appendBlock(fn, 'body');
  b.positionAtEnd(body);
  em.at(s.span);
  b.store(b.binop(Opcode.Add, first, em.m.param(fn, 0)), b.bitcast(varSlot(em, s.variable.name), c.ptr(em.i64)));
  loopCallbackBody(em, fn, s.body, em.constInt(1), em.constInt(0));
  b.positionAtEnd(em.allocaBlock);
  em.at(s.span);
  if (em.scratchSlot) em.initScratch(body);
  else b.br(body);
}


/** Names of the variables a block mentions, nested blocks included. */
function namedVars(node: object, out = new Set<string>()): Set<string> {
  const n = node as { kind?: string; name?: string };
  if (n.kind === 'Variable' && n.name) out.add(n.name);
  for (const [k, v] of Object.entries(node)) {
    if (k === 'span' || !v || typeof v !== 'object') continue;
    for (const x of Array.isArray(v) ? v : [v]) if (x && typeof x === 'object') namedVars(x, out);
  }
  return out;
}
