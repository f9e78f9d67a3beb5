// IR for script maps in a program: assignment, in-place per-CPU aggregation updates, and reads.

import type { AssignMap, Call } from '../ast';
import { aggregates, type CgValue } from '../functions';
import type { MapInfo } from '../semantic/checked-program';
import { Stat } from '../compiled';
import { sizeOf, type Type } from '../../common/types';
import type { ProbeEmitter } from './emit-context';
import { arith, emitExpr } from './expressions';
import { IntPredicate, Opcode, type Val } from './llvm';
import { BPF_ANY, BPF_NOEXIST, emitKey, ifNotNull, lookup, update } from './maps';

const EEXIST = 17;

/** `@m[k] = v`, `@m[k] op= v` and `@m[k] = agg(…)`. */
export function assignMap(em: ProbeEmitter, s: AssignMap): void {
  const { info, global } = em.g.map(`@${s.map.name}`);
  const key = emitKey(em, info, s.map.keys);
  const v = s.value;
  if (info.aggregate && v.kind === 'Call' && aggregates.has(v.name) && info.valueType.kind === 'agg') {
    return updateAggregate(em, info, global, key, v);
  }
  let value = emitExpr(em, v);
  if (s.op) {
    const cur = readMap(em, info, global, key);
    value = { type: value.type, v: arith(em, s.op, cur.v, value.v, cur.type, value.type) };
  }
  const buf = valueSlot(em, info.valueType);
  em.storeValue(value, buf, info.valueType);
  const r = update(em, global, key, buf, BPF_ANY);
  em.reportHelper(s, r, 'negative');
  em.countMapFull(r);
}

/** Where a value is put for a map update: integers fill their slot whole, so one slot serves all. */
export function valueSlot(em: ProbeEmitter, t: Type): Val {
  return t.kind === 'int' ? em.reusableSlot('value', sizeOf(t)) : em.zeroed(sizeOf(t), 'value');
}

/**
 * Per-CPU in-place update: the common case is one lookup and a plain add, no atomics (each CPU
 * owns its copy). A new key is first inserted as zeroes (from the read-only `zeroes` map, so large
 * values like hist buckets never touch the 512-byte stack) with BPF_NOEXIST, then looked up again;
 * losing that race to another CPU is harmless. A full map is counted.
 */
function updateAggregate(em: ProbeEmitter, info: MapInfo, global: Val, key: Val, call: Call): void {
  const agg = info.aggregate!;
  const t = info.valueType as Extract<Type, { kind: 'agg' }>;
  const { b } = em;
  // The arguments are evaluated first, on every path: emitted inside the found-entry branch, a
  // side effect (`avg($a++)` in a while loop) would be skipped when the lookup fails, and the
  // verifier rightly sees a loop that may never end. Only the value is an expression: lhist's
  // bounds and the like are compile-time constants.
  const value = call.args[0];
  if (value) em.evaluated.set(value, emitExpr(em, value));
  const slot = em.zeroed(8, 'aggslot');
  const slotP = b.bitcast(slot, em.c.ptr(em.i8p));
  b.store(lookup(em, global, key), slotP);
  const first = b.load(em.i8p, slotP);
  // A keyless aggregation is a per-CPU array (./maps.ts mapLayout): its one entry always exists,
  // so there is nothing to insert, only the null check the verifier asks for.
  if (info.keyType === null) {
    ifNotNull(em, first, (p) => agg.emitUpdate(em, call, t, p), () => {});
    if (value) em.evaluated.delete(value);
    return;
  }
  ifNotNull(em, first, () => {}, () => {
    const zero = zeroesPtr(em);
    const r = update(em, global, key, zero, BPF_NOEXIST);
    const full = b.icmp(IntPredicate.EQ, b.binop(Opcode.And, b.icmp(IntPredicate.NE, r, em.constInt(0)), b.icmp(IntPredicate.NE, r, em.constInt(-EEXIST))), em.c.constInt(em.c.int(1), 1));
    const yes = b.appendBlock(em.parts.fn, 'map_full');
    const go = b.appendBlock(em.parts.fn, 'relookup');
    b.condBr(full, yes, go);
    b.positionAtEnd(yes);
    em.bumpStat(Stat.MapFull);
    b.br(go);
    b.positionAtEnd(go);
    b.store(lookup(em, global, key), slotP);
  });
  ifNotNull(em, b.load(em.i8p, slotP), (p) => agg.emitUpdate(em, call, t, p), () => {});
  if (value) em.evaluated.delete(value);
}

/** Pointer to the read-only all-zero value every new aggregation entry starts from. */
function zeroesPtr(em: ProbeEmitter): Val {
  // Index 0: the same never-written zero slot as a keyless map's key (one store less per event).
  const key = em.reusableSlot('key0', 4);
  const p = lookup(em, em.g.zeroes, key);
  // An array map lookup at index 0 never fails, but the verifier insists on a null check.
  const out = em.zeroed(8, 'zptr');
  const outP = em.b.bitcast(out, em.c.ptr(em.i8p));
  em.b.store(p, outP);
  ifNotNull(em, p, () => {}, () => em.returnEarly());
  return em.b.load(em.i8p, outP);
}

/** `node`: the map read a -kk watch may report a missing key of. */
export function readMap(em: ProbeEmitter, info: MapInfo, global: Val, key: Val, node?: object): CgValue {
  const { b, c } = em;
  const t = info.valueType;
  const found = lookup(em, global, key);
  if (node) em.reportHelper(node, found, 'null');
  if (t.kind === 'int' || t.kind === 'bool') {
    // A missing entry reads as 0: the value straight from the map, no copy through a slot.
    const it = c.int(t.kind === 'int' ? t.bits : 8);
    const yes = b.appendBlock(em.parts.fn, 'found');
    const done = b.appendBlock(em.parts.fn, 'read');
    const from = b.insertBlock;
    b.condBr(b.icmp(IntPredicate.NE, found, c.constNull(em.i8p)), yes, done);
    b.positionAtEnd(yes);
    const v = b.load(it, b.bitcast(found, c.ptr(it)));
    b.br(done);
    b.positionAtEnd(done);
    return { type: t, v: b.intCast(b.phi(it, [[v, yes], [c.constInt(it, 0), from]]), em.i64, t.kind === 'int' && t.signed) };
  }
  const out = em.zeroed(sizeOf(t), 'read');
  // Map values are 8-byte aligned in the kernel: word copies, not byte by byte.
  ifNotNull(em, found, (p) => b.memcpy(out, p, sizeOf(t), 8), () => {});
  return { type: t, v: out };
}
