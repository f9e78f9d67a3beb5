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

const LOOP_MAX = 1 << 23;

/**
 * `for ($kv : @m) { … }`: bpf_for_each_map_elem calls a static callback per element. Its body is
 * emitted by an emitter of its own (own stack, slots and scratch map); the probe's context
 * reaches it through a stack slot, the callback's context argument.
 */
export function forMap(em: ProbeEmitter, s: For): void {
  if (s.iterable.kind === 'Range') return forRange(em, s, s.iterable);
  const { b, c, i8p } = em;
  const { info, global } = em.g.map(`@${(s.iterable as MapRef).name}`);
  const name = `${em.p.progName}_for${em.statics.size}`;
  const i32 = c.int(32);
  const cb = em.m.addFunction(name, c.fnType(i32, [i8p, i8p, i8p, i8p]));
  em.m.setLinkage(cb, Linkage.Internal);
  em.statics.set(name, cb);
  const { di } = em.parts;
  const ptr = di.pointer(null);
  const sp = di.function(cb, name, s.span.line, di.basic('int', 32, DW_ATE_signed), ['map', 'key', 'value', 'ctx'].map((n) => ({ name: n, type: ptr })), true);
  const cbb = new Builder(c);
  try {
    cbb.setDebugLocation(di.location(s.span.line, s.span.col, sp));
    const loopProbe: AnalyzedProbe = { ...em.p, progName: name, variables: em.a.forLoops.get(s)! };
    const loadCtx = (fb: Builder, f: Fn) => fb.load(i8p, fb.bitcast(em.m.param(f, 3), c.ptr(i8p)));
    emitLoopBody(new ProbeEmitter(em.a, loopProbe, { c, m: em.m, b: cbb, di, fn: cb, sp, abort: c.constInt(i32, 1) }, em.g, loadCtx), s, info);
  } finally {
    cbb.dispose();
  }
  di.finalizeSubprogram(sp);
  const ctxRef = em.zeroed(8, 'for_ctx', true);
  b.store(em.ctxArg, b.bitcast(ctxRef, c.ptr(i8p)));
  b.helper(BpfHelper.FOR_EACH_MAP_ELEM, em.i64, [i8p, i8p, i8p, em.i64], [b.bitcast(global, i8p), b.bitcast(cb, i8p), ctxRef, em.constInt(0)]);
}

/** The callback's body: `$kv` from the element's key and value, then the statements; break stops the walk. */
function emitLoopBody(em: ProbeEmitter, s: For, info: MapInfo): void {
  const { b, c } = em;
  const fn = em.parts.fn;
  const i32 = c.int(32);
  const body = b.appendBlock(fn, 'body');
  b.positionAtEnd(body);
  em.at(s.span);
  const kv = em.p.variables.get(s.variable.name)!;
  const slot = varSlot(em, s.variable.name);
  const { offsets } = tupleLayout(kv as Extract<Type, { kind: 'tuple' }>);
  b.memcpy(b.byteOffset(slot, offsets[0], c.int(8)), em.m.param(fn, 1), sizeOf(info.keyType!), 1);
  b.memcpy(b.byteOffset(slot, offsets[1], c.int(8)), em.m.param(fn, 2), sizeOf(info.valueType), 1);
  loopCallbackBody(em, fn, s.body, c.constInt(i32, 1), c.constInt(i32, 0));
  b.positionAtEnd(em.allocaBlock);
  em.at(s.span);
  if (em.scratchSlot) em.initScratch(body);
  else b.br(body);
}

/**
 * `for ($i : a..b) { … }`: bpf_loop (5.17+) calls a static callback b-a times. Its context, on this
 * stack: the probe's context, a, then a pointer to the slot of each probe variable the body
 * names, which the callback's emitter uses as those variables' slots.
 */
function forRange(em: ProbeEmitter, s: For, r: Range): void {
  const { b, c, i8p, i64 } = em;
  const vars = em.a.forLoops.get(s)!;
  const shared = [...namedVars(s.body)].filter((n) => n !== s.variable.name && vars.has(n));
  const start = emitExpr(em, r.start).v;
  const n = b.binop(Opcode.Sub, emitExpr(em, r.end).v, start);
  // nr_loops is a u32 and bpf_loop refuses more than 1 << 23 (E2BIG, no iterations): clamp
  // rather than truncate, so an over-long range runs nothing instead of a wrong count.
  const pos = b.select(b.icmp(IntPredicate.SGT, n, em.constInt(0)), n, em.constInt(0));
  const iters = b.select(b.icmp(IntPredicate.UGT, pos, em.constInt(LOOP_MAX)), em.constInt(LOOP_MAX + 1), pos);
  const name = `${em.p.progName}_for${em.statics.size}`;
  const cb = em.m.addFunction(name, c.fnType(i64, [i64, i8p]));
  em.m.setLinkage(cb, Linkage.Internal);
  em.statics.set(name, cb);
  const { di } = em.parts;
  const sp = di.function(cb, name, s.span.line, di.basic('long', 64, DW_ATE_signed), [{ name: 'index', type: di.basic('long', 64, DW_ATE_signed) }, { name: 'ctx', type: di.pointer(null) }], true);
  const cbb = new Builder(c);
  try {
    cbb.setDebugLocation(di.location(s.span.line, s.span.col, sp));
    const loopProbe: AnalyzedProbe = { ...em.p, progName: name, variables: vars };
    const field = (fb: Builder, f: Fn, i: number, t: Ty) => fb.load(t, fb.bitcast(fb.byteOffset(em.m.param(f, 1), i * 8, c.int(8)), c.ptr(t)));
    const e = new ProbeEmitter(em.a, loopProbe, { c, m: em.m, b: cbb, di, fn: cb, sp, abort: c.constInt(i64, 1) }, em.g, (fb, f) => field(fb, f, 0, i8p));
    shared.forEach((v, i) => e.vars.set(v, field(cbb, cb, 2 + i, i8p)));
    const first = field(cbb, cb, 1, i64);
    emitRangeBody(e, s, first);
  } finally {
    cbb.dispose();
  }
  di.finalizeSubprogram(sp);
  const ctxRef = em.zeroed(8 * (2 + shared.length), 'for_ctx', true);
  const put = (i: number, v: Val, t: Ty) => b.store(v, b.bitcast(b.byteOffset(ctxRef, i * 8, c.int(8)), c.ptr(t)));
  put(0, em.ctxArg, i8p);
  put(1, start, i64);
  shared.forEach((v, i) => put(2 + i, varSlot(em, v), i8p));
  // An empty range skips the call: when the verifier knows the count is 0 it never walks the
  // callback, drops it as dead code, and then fails on the call's reference to it (6.18).
  const go = b.appendBlock(em.parts.fn, 'for_range');
  const done = b.appendBlock(em.parts.fn, 'for_range_end');
  b.condBr(b.icmp(IntPredicate.NE, pos, em.constInt(0)), go, done);
  b.positionAtEnd(go);
  b.helper(BpfHelper.LOOP, i64, [c.int(32), i8p, i8p, i64], [b.intCast(iters, c.int(32), false), b.bitcast(cb, i8p), ctxRef, em.constInt(0)]);
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
