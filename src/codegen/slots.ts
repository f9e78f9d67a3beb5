// Where values live in a program: the slots of its $variables (one each, zeroed on entry, sized
// for the widest value any assignment stores; in a range loop's callback, the probe's own slots
// reached through pointers), and how a value is stored into a slot of a given type.

import { cSizeOf, sizeOf, tupleLayout, type Type } from '../../common/types';
import type { CgValue } from '../functions';
import type { Val } from './llvm';
import type { ProbeEmitter } from './emit-context';
import { probeReadHelper } from './probe-read';
import { elementOrder } from '../../common/records';

/** A variable's slot, sized for the widest value any assignment stores in it. */
export function varSlot(em: ProbeEmitter, name: string): Val {
  let slot = em.vars.get(name);
  if (!slot) {
    const t = em.p.variables.get(name)!;
    // A while loop's counter stays on the stack even past the budget: in the scratch map the
    // verifier cannot follow its value, so it could not bound the loop ("infinite loop detected").
    em.loopVarNames ??= whileConditionVariables(em.p.probe.body);
    const stackOnly = t.kind === 'int' && em.loopVarNames.has(name);
    slot = em.zeroed(t.kind === 'int' ? 8 : Math.max(sizeOf(t), 8), `var_${name}`, stackOnly);
    em.vars.set(name, slot);
  }
  return slot;
}

/** A variable's value: an integer loaded from its slot, anything else the slot itself. */
export function readVar(em: ProbeEmitter, name: string, t: Type): CgValue {
  const slot = varSlot(em, name);
  if (t.kind === 'int') return { type: t, v: em.b.load(em.i64, em.b.bitcast(slot, em.c.ptr(em.i64))) };
  if (t.kind === 'bool') return { type: t, v: loadScalar(em, slot, t) };
  return { type: t, v: slot };
}

/** An integer or bool stored at `p` in its own width, as the i64 every scalar is in IR. */
export function loadScalar(em: ProbeEmitter, p: Val, t: Type): Val {
  const bits = t.kind === 'int' ? t.bits : 8;
  const it = em.c.int(bits);
  return em.b.intCast(em.b.load(it, em.b.bitcast(p, em.c.ptr(it))), em.i64, t.kind === 'int' && t.signed);
}

/** Stores `v` into `dst` laid out as `slotType` (EmitContext.storeValue). */
export function storeInSlot(em: ProbeEmitter, v: CgValue, dst: Val, slotType: Type): void {
  const { b, c } = em;
  switch (slotType.kind) {
    case 'int':
    case 'bool': {
      const bits = slotType.kind === 'int' ? slotType.bits : 8;
      const it = c.int(bits);
      b.store(b.intCast(v.v, it, v.type.kind === 'int' && v.type.signed), b.bitcast(dst, c.ptr(it)));
      return;
    }
    case 'string': {
      // A struct by value (print(curtask->se.load)) is a place in memory: copy its bytes from there.
      if (v.type.kind === 'record') {
        b.helper(probeReadHelper(v.type.space), em.i64, [em.i8p, c.int(32), em.i8p], [dst, c.constInt(c.int(32), Math.min(v.type.size, slotType.size - 1)), b.intToPtr(v.v, em.i8p)]);
        return;
      }
      // A copied struct or array's spare byte is never copied: in a tuple it is the next element's.
      const srcSize = v.type.kind === 'string' ? cSizeOf(v.type) : 0;
      const n = Math.min(srcSize, cSizeOf(slotType));
      if (n > 0) b.memcpy(dst, v.v, n);
      return;
    }
    case 'tuple': {
      if (v.type.kind !== 'tuple') return;
      const src = tupleLayout(v.type);
      const out = tupleLayout(slotType);
      const srcElems = v.type.elems;
      // A record assigned with its names in another order is stored by name.
      const order = elementOrder(slotType, v.type);
      slotType.elems.forEach((et, i) => {
        const st = srcElems[order[i]];
        const sp = b.byteOffset(v.v, src.offsets[order[i]], c.int(8));
        const elem: CgValue = st.kind === 'int' || st.kind === 'bool' ? { type: st, v: loadScalar(em, sp, st) } : { type: st, v: sp };
        em.storeValue(elem, b.byteOffset(dst, out.offsets[i], c.int(8)), et);
      });
      return;
    }
    default:
      throw new Error(`internal: cannot store a ${slotType.kind}`);
  }
}

/** Names of the variables read in the conditions of the while loops of a probe body. */
function whileConditionVariables(body: unknown): Set<string> {
  const out = new Set<string>();
  const visit = (n: unknown, inCond: boolean): void => {
    if (Array.isArray(n)) { for (const x of n) visit(x, inCond); return; }
    if (!n || typeof n !== 'object') return;
    const node = n as { kind?: string; name?: string; cond?: unknown; span?: unknown };
    if (inCond && node.kind === 'Variable' && typeof node.name === 'string') out.add(node.name);
    for (const [k, v] of Object.entries(node)) {
      if (k === 'span' || !v || typeof v !== 'object') continue;
      visit(v, inCond || (node.kind === 'While' && k === 'cond'));
    }
  };
  visit(body, false);
  return out;
}
