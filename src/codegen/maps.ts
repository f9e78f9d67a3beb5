// How each script map is laid out in the kernel, and the IR for reading and writing it.

import type { Expr } from '../ast';
import type { EmitContext } from '../functions';
import type { MapInfo } from '../semantic/checked-program';
import type { MapMeta } from '../compiled';
import { sizeOf, tupleLayout, type Type } from '../../common/types';
import { IntPredicate, type Val } from './llvm';
import { BpfMapType, type MapDef } from './map-defs';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;

const DECLARED: Record<NonNullable<MapInfo['decl']>['type'], BpfMapType> = {
  hash: BpfMapType.Hash,
  lruhash: BpfMapType.LruHash,
  percpuhash: BpfMapType.PercpuHash,
  percpulruhash: BpfMapType.LruPercpuHash,
};

export function mapLayout(m: MapInfo, mapKeys: number): { def: MapDef; meta: MapMeta } {
  const keyless = m.keyType === null;
  const keySize = keyless ? 4 : sizeOf(m.keyType!);
  const valueSize = m.aggregate && m.valueType.kind === 'agg' ? m.aggregate.valueSize(m.valueType) : sizeOf(m.valueType);
  const perCpu = !!m.aggregate;
  // A keyless aggregation is a per-CPU array (always present, cheapest lookup); a keyless plain
  // value is a one-entry hash, so a map never assigned prints nothing, as in bpftrace.
  // A declared map (let @m = lruhash(N)) has its kind and size; a keyless one keeps its layout,
  // which one entry fills whatever the kind.
  const type = keyless
    ? perCpu ? BpfMapType.PercpuArray : BpfMapType.Hash
    : m.decl ? DECLARED[m.decl.type] : perCpu ? BpfMapType.PercpuHash : BpfMapType.Hash;
  return {
    def: { name: m.bpfName, type, maxEntries: keyless ? 1 : m.decl?.maxEntries ?? mapKeys, keySize, valueSize },
    meta: {
      name: m.name,
      bpfName: m.bpfName,
      keyType: m.keyType,
      valueType: m.valueType,
      aggregate: m.aggregate?.name,
      keySize,
      valueSize,
      perCpu,
    },
  };
}

/** Builds the key for `keys` in a zeroed stack buffer (padding must be zero: it is hashed). */
export function emitKey(ctx: EmitContext, m: MapInfo, keys: Expr[]): Val {
  // The key of a keyless map is a zero no one writes: one slot serves every access.
  if (m.keyType === null) return ctx.reusableSlot('key0', 4);
  if (keys.length === 1) {
    const fresh = freshKey(ctx, keys[0], m.keyType);
    if (fresh) return fresh;
  }
  const buf = ctx.zeroed(sizeOf(m.keyType), 'key');
  if (keys.length === 1) {
    ctx.storeValue(ctx.emit(keys[0]), buf, m.keyType);
  } else if (m.keyType.kind === 'tuple') {
    const { offsets } = tupleLayout(m.keyType);
    const elems = m.keyType.elems;
    keys.forEach((k, i) => ctx.storeValue(ctx.emit(k), ctx.b.byteOffset(buf, offsets[i], ctx.c.int(8)), elems[i]));
  }
  return buf;
}

/**
 * The key's own buffer when copying it would change no byte: a string of exactly the key's type
 * made by a builtin or call (`@[comm]`), whose buffer nothing else writes while the statement
 * runs. A variable's or a map's string may be written by the value's expression, so it is copied.
 */
function freshKey(ctx: EmitContext, key: Expr, keyType: Type): Val | undefined {
  if (key.kind !== 'Builtin' && key.kind !== 'Call') return undefined;
  if (keyType.kind !== 'string' || keyType.format !== undefined || keyType.layout !== undefined) return undefined;
  const v = ctx.emit(key);
  const t = v.type;
  if (t.kind === 'string' && t.format === undefined && t.layout === undefined && t.size === keyType.size) return v.v;
  // Emitted once only: the copy below takes this value rather than emitting the key again.
  const buf = ctx.zeroed(sizeOf(keyType), 'key');
  ctx.storeValue(v, buf, keyType);
  return buf;
}

export function lookup(ctx: EmitContext, map: Val, key: Val): Val {
  const { b, i8p } = ctx;
  return b.helper(BpfHelper.MAP_LOOKUP_ELEM, i8p, [i8p, i8p], [b.bitcast(map, i8p), key], 'value');
}

export function update(ctx: EmitContext, map: Val, key: Val, value: Val, flags: number): Val {
  const { b, i8p, i64 } = ctx;
  return b.helper(BpfHelper.MAP_UPDATE_ELEM, i64, [i8p, i8p, i8p, i64], [b.bitcast(map, i8p), key, value, ctx.constInt(flags)], 'updated');
}

/** Emits `then(found)` when `ptr` is not null and `otherwise()` when it is. */
export function ifNotNull(ctx: EmitContext, ptr: Val, then: (p: Val) => void, otherwise: () => void): void {
  const { b } = ctx;
  const f = b.currentFunction;
  const yes = b.appendBlock(f, 'found');
  const no = b.appendBlock(f, 'missing');
  const done = b.appendBlock(f, 'merge');
  b.condBr(b.icmp(IntPredicate.NE, ptr, ctx.c.constNull(ctx.i8p)), yes, no);
  b.positionAtEnd(yes);
  then(ptr);
  if (!b.terminated) b.br(done);
  b.positionAtEnd(no);
  otherwise();
  if (!b.terminated) b.br(done);
  b.positionAtEnd(done);
}

export function storageSlotType(m: MapInfo): Type {
  return m.valueType;
}
