// The `(@m, key)` argument pair of newer bpftrace's map functions (has_key, delete): a whole map
// and one key expression, a tuple for a map of several keys (`has_key(@m, (1, "a"))`). The key is
// built into a zeroed buffer of the map's own key type, converting widths as an assignment
// would, so `(1, 2)` finds the entry `@m[(int8)1, (uint16)2]` wrote.

import type { Call, Expr, MapRef } from '../ast';
import type { Val } from '../codegen/llvm';
import { emitKey } from '../codegen/maps';
import { error } from '../../common/diagnostics';
import type { MapInfo } from '../semantic/checked-program';
import { bpftraceTypeName } from '../semantic/pointers';
import { sameShape } from '../semantic/type-rules';
import type { Type } from '../../common/types';
import { truthType } from '../semantic/bools';
import { mapOf } from './clear';
import { storageType } from './storage';
import type { CheckContext, EmitContext, LanguageOptions } from './types';

/**
 * The type of a yes/no result (has_key, delete, the is_* tests): a bool as bpftrace 0.24+ has
 * them, or under 0.17, which has no bool, 0 or 1 of the type comparisons have there.
 */
export function truth(ctx: { readonly options: LanguageOptions }): Type {
  return truthType(ctx.options.dialect);
}

/** Checks `fn(@m, key)`: the map written bare and one key. Returns the pair, or null after an error. */
export function checkMapKey(ctx: CheckContext, call: Call, fn: string): { map: MapRef; key: Expr } | null {
  const [map, key, extra] = call.args;
  if (!map || map.kind !== 'MapRef' || map.keys.length) {
    ctx.error(`${fn}() expects a map and a key, as in ${fn}(@m, key)`, map ?? call, map?.kind === 'MapRef' ? `write ${fn}(@${map.name}, ${map.keys.length > 1 ? '(k1, k2)' : 'key'})` : undefined);
    return null;
  }
  if (!key) {
    ctx.error(`${fn}() expects a map and a key, as in ${fn}(@${map.name}, key)`, call);
    return null;
  }
  if (extra) {
    ctx.error(`${fn}() takes one key: write several as a tuple, ${fn}(@${map.name}, (k1, k2))`, extra);
    return null;
  }
  const t = ctx.typeOf(key);
  if (t.kind !== 'int' && t.kind !== 'string' && t.kind !== 'tuple' && t.kind !== 'bool' && t.kind !== 'none') {
    ctx.error(`${bpftraceTypeName(t)} cannot be used as a map key`, key);
    return null;
  }
  return { map, key };
}

/** The map of a checked pair at code generation, refusing keyless maps and keys of another shape. */
export function mapForKey(ctx: EmitContext, map: MapRef, key: Expr, fn: string): { global: Val; info: MapInfo } {
  const m = mapOf(ctx, map);
  const { info } = m;
  if (info.keyType === null) {
    // bpftrace's wording (0.22+), which its tests match.
    throw error(`call to ${fn}() expects a map with explicit keys (non-scalar map)`, map.span, `${info.name} holds one value: read it as ${info.name}`);
  }
  const kt = storageType(ctx.typeOf(key));
  if (!sameShape(info.keyType, kt)) {
    const args = (t: typeof kt) => (t.kind === 'tuple' ? bpftraceTypeName(t) : `(${bpftraceTypeName(t)})`).replace(/unsigned int/g, 'uint');
    throw error(`Argument mismatch for ${info.name}: trying to access with arguments: '${args(ctx.typeOf(key))}' when map expects arguments: '${args(info.keyType)}'`, key.span);
  }
  return m;
}

/** The key buffer of `key` in `info`'s key type. */
export function emitOneKey(ctx: EmitContext, info: MapInfo, key: Expr): Val {
  return emitKey(ctx, info, [key]);
}
