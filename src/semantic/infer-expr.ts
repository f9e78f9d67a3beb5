// Type inference for expressions: the type of each expression of a probe, from its operands,
// the builtin and function modules (src/functions/), the probe type and the maps declared so far.
// Kernel memory (casts, sizeof, `->`, `*p`, `p[N]`) is kernel-access.ts's.

import { enumeratorType } from './enums';
import type { Call, Expr, Unary } from '../ast';
import { aggregates, builtins, functions } from '../functions';
import { builtinCall } from '../functions/desugar';
import { offsetofConstant } from '../functions/offsetof';
import { didYouMean } from '../suggest';
import { arithSigned, isPointer, none, s64, stringType, u64, type Type } from '../../common/types';
import { typeName } from '../type-name';
import { includedMacros } from '../../common/kernel/header-macros';
import { cast, deref, fieldAccess, index, sizeofExpr } from './kernel-access';
import { kernelBtf } from './kernel-types';
import { pointerBinary, pointerUnaryError } from './pointers';
import { macroConstant, preprocess } from './preprocessor';
import { asInteger, boolBinary, boolLiteralType, truthType } from './bools';
import { recordLiteral } from './record-rules';
import type { ProbeChecker } from './probe-checker';
import { declareMap, mapKeyType, sameShape, tupleElemType } from './type-rules';
import { shownName } from './scopes';

const describe: Record<string, string> = {
  Offsetof: 'offsetof',
  BlockExpr: 'a block expression',
};

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=', '&&', '||']);

/** The type of `e`; ProbeChecker.typeOf records it and marks the expressions that failed. */
export function inferExpr(c: ProbeChecker, e: Expr): Type {
  switch (e.kind) {
    case 'IntLit':
      return s64;
    case 'BoolLit':
      return boolLiteralType(c.a.dialect);
    case 'StrLit':
      return stringType(Buffer.byteLength(e.value, 'latin1') + 1);
    case 'Builtin': {
      // bpftrace 0.17 spells an iterator's context `ctx` (ctx->task): the same record as args.
      if (e.name === 'args' || (e.name === 'ctx' && c.probe.type.ctxIsArgs)) {
        const t = c.ap.type.argsType?.(c.probe);
        if (!t) c.error(`args is not available in ${c.probe.provider} probes`, e);
        return t ?? none;
      }
      const def = builtins.get(e.name);
      // The script's own #define constants, macros of included headers and enumerators of kernel
      // enums are constants, as in bpftrace.
      const macro = def ? undefined : (macroConstant(preprocess(c.a.program, kernelBtf() !== null).defines, e.name) ?? includedMacros(c.a.program.includes.map((i) => i.path)).get(e.name));
      const enumerator = def || macro !== undefined ? null : kernelBtf()?.findEnumValue(e.name);
      if (macro !== undefined || enumerator) {
        c.a.constants.set(e, Number(macro ?? enumerator!.value));
        return macro === undefined ? enumeratorType(enumerator!.enum, c.a.dialect) : s64;
      }
      if (!def) {
        c.error(`Unknown identifier: '${e.name}'`, e, didYouMean(e.name, [...builtins.keys(), 'args']));
        return none;
      }
      return def.check(c, e);
    }
    case 'Variable': {
      const t = c.ap.variables.get(e.name);
      if (!t && c.failedVars.has(e.name)) {
        c.failed.add(e);
        return none;
      }
      if (!t) {
        c.error(`Undefined or undeclared variable: $${shownName(e.name)}`, e, didYouMean(e.name, c.ap.variables.keys(), (v) => `$${shownName(v)}`));
        return none;
      }
      return t;
    }
    case 'MapRef': {
      const m = c.a.maps.get(`@${e.name}`);
      if (!m) {
        if (c.final) c.error(`Undefined map: @${e.name}`, e, didYouMean(`@${e.name}`, c.a.maps.keys()));
        return none;
      }
      for (const k of e.keys) c.typeOf(k);
      if (e.keys.length) c.watchHelper(e, 'map_lookup_elem', 2);
      if ((m.keyType === null) !== (e.keys.length === 0)) {
        c.error(m.keyType === null ? `map ${m.name} has no key` : `map ${m.name} needs a key`, e);
        return none;
      }
      if (m.aggregate && m.valueType.kind === 'agg') {
        // Read over every CPU, as newer bpftrace reads them (codegen/agg-read.ts).
        if (m.aggregate.read) return m.aggregate.read.type(m.valueType);
        c.error(`the value of ${m.name} (a ${m.aggregate.name}() map) cannot be read in a probe: it is not one number`, e, `print(${m.name}) shows it; count, sum, min, max and avg maps can be read`);
        return none;
      }
      return m.valueType;
    }
    case 'Call':
      return call(c, e);
    case 'Binary': {
      const lt = c.typeOf(e.left);
      const rt = c.typeOf(e.right);
      const both = boolBinary(e.op, lt, rt);
      if (both) return both;
      let l = asInteger(lt);
      let r = asInteger(rt);
      // A map read in its own first assignment (`@n = @n + 1`) is not typed yet on the first
      // pass; as in bpftrace it reads as 0 of an unsigned 64-bit type, so the assignment can
      // declare the map. The final pass sees the declared type (or reports a map never assigned).
      if (!c.final && (l.kind === 'none' || r.kind === 'none') && l.kind !== 'string' && r.kind !== 'string') {
        if (l.kind === 'none') l = u64;
        if (r.kind === 'none') r = u64;
      }
      if (l.kind === 'string' && r.kind === 'string' && (e.op === '==' || e.op === '!=')) return truthType(c.a.dialect);
      // Tuples and records compare element by element (bpftrace 0.24+).
      if (l.kind === 'tuple' && r.kind === 'tuple' && (e.op === '==' || e.op === '!=')) {
        if (sameShape(l, r)) return truthType(c.a.dialect);
        c.error(`Type mismatch for '${e.op}': comparing ${typeName(l)} with ${typeName(r)}`, e);
        return none;
      }
      if (l.kind !== 'int' || r.kind !== 'int') {
        c.error(`operator ${e.op} needs integer operands, got ${typeName(l)} and ${typeName(r)}`, e);
        return none;
      }
      // bpftrace 0.23+ takes pointers in && and || (true when not null); 0.17 refused them.
      const ptr = c.a.dialect !== '0.17' && (e.op === '&&' || e.op === '||') ? undefined : pointerBinary(e.op, l, r);
      if (ptr && 'error' in ptr) {
        c.error(ptr.error, e, 'pointers take + and - of an integer (scaled by the element size) and comparisons; cast to an integer type for other arithmetic');
        return none;
      }
      if (COMPARISONS.has(e.op)) return truthType(c.a.dialect);
      if (ptr) return ptr.type;
      return arithSigned(l, r) ? s64 : u64;
    }
    case 'Unary':
      return e.op === '*' ? deref(c, e) : unary(c, e);
    case 'Index':
      return index(c, e);
    case 'Positional':
      // An artifact's are integers given at load (Analysis.loadTimePositionals).
      if (c.a.loadTimePositionals !== undefined) return e.count ? u64 : s64;
      // Numbers, $# and missing ones were inlined as literals (positionals.ts): a text argument is left.
      return stringType(Buffer.byteLength(c.a.positionals[e.index - 1], 'latin1') + 1);
    case 'Cast':
      return cast(c, e);
    case 'Tuple': {
      // bpftrace packs a tuple like a C struct of its elements at their own widths.
      const elems = e.elems.map((x) => tupleElemType(c.typeOf(x)));
      const bad = elems.findIndex((t) => t.kind !== 'int' && t.kind !== 'bool' && t.kind !== 'string' && t.kind !== 'tuple');
      if (bad >= 0) {
        if (!c.failed.has(e.elems[bad])) c.error(`${typeName(elems[bad])} cannot be part of a tuple`, e.elems[bad]);
        return none;
      }
      return { kind: 'tuple', elems };
    }
    case 'Record':
      return recordLiteral(c, e);
    case 'TupleAccess': {
      const t = c.typeOf(e.target);
      if (t.kind !== 'tuple' || t.names) {
        if (t.kind !== 'none') c.error(`.${e.index} needs a tuple, got ${typeName(t)}`, e, t.kind === 'tuple' ? 'a record\'s elements are reached by name: $r.name' : undefined);
        return none;
      }
      if (e.index >= t.elems.length) {
        c.error(`tuple index ${e.index} is out of range: the tuple has ${t.elems.length} elements`, { span: e.indexSpan });
        return none;
      }
      return t.elems[e.index];
    }
    case 'Sizeof':
      return sizeofExpr(c, e);
    case 'Offsetof': {
      const n = offsetofConstant(e, (msg, node, hint) => c.error(msg, node, hint));
      if (n !== undefined) c.a.constants.set(e, n);
      return n === undefined ? none : u64;
    }
    case 'Ternary': {
      c.expectInt(e.cond, 'condition');
      const a = c.typeOf(e.then);
      const b = c.typeOf(e.else);
      if (!sameShape(a, b)) {
        c.error(`ternary branches have different types: ${typeName(a)} and ${typeName(b)}`, e);
        return none;
      }
      return a.kind === 'string' && b.kind === 'string' && b.size > a.size ? b : a;
    }
    case 'FieldAccess':
      return fieldAccess(c, e);
    default:
      c.error(`${describe[e.kind] ?? e.kind} is not supported yet`, e);
      return none;
  }
}

function unary(c: ProbeChecker, e: Unary): Type {
  if (e.op === '&') return addressOf(c, e);
  const step = e.op.startsWith('++') || e.op.startsWith('--');
  if (step && e.operand.kind === 'MapRef') {
    const m = e.operand;
    const keyType = m.keys.length === 0 ? null : mapKeyType(c, m.keys);
    const prev = c.a.maps.get(`@${m.name}`);
    if (prev && (prev.valueType.kind !== 'int' || prev.aggregate)) {
      if (c.final) c.error(`${e.op.slice(0, 2)} needs an integer map, but ${prev.name} holds ${typeName(prev.valueType)}`, e);
      return none;
    }
    declareMap(c, m, e, keyType, s64, undefined);
    const t = c.a.maps.get(`@${m.name}`)?.valueType ?? s64;
    c.a.types.set(m, t);
    return t;
  }
  if (step && e.operand.kind !== 'Variable') {
    c.error(`${e.op.slice(0, 2)} needs a variable or a map`, e.operand);
    return none;
  }
  if (step && e.operand.kind === 'Variable' && !c.ap.variables.has(e.operand.name)) {
    // bpftrace lets $x++ create $x, starting from 0.
    c.ap.variables.set(e.operand.name, s64);
  }
  const operand = c.typeOf(e.operand);
  if (operand.kind === 'bool' && e.op !== '!') {
    c.error(`The ${e.op.replace(/pre|post/, '')} operator can not be used on expressions of type 'bool'`, e, 'cast it to an integer first: (uint8)$b');
    return none;
  }
  const t = asInteger(operand);
  if (t.kind !== 'int') {
    if (t.kind !== 'none') c.error(`operator ${e.op.replace(/pre|post/, '')} needs an integer operand, got ${typeName(t)}`, e);
    return none;
  }
  if (isPointer(t) && !step) {
    c.error(pointerUnaryError(e.op, t), e, 'cast the pointer to an integer type first');
    return none;
  }
  if (e.op === '!') return truthType(c.a.dialect);
  if (e.op === '-') return s64;
  if (e.op === '~') return t;
  if (step) return t;
  c.error(`operator ${e.op} is not supported yet`, e);
  return none;
}

/**
 * `&$x` (bpftrace 0.26; 0.24 behind a flag): a pointer to the variable's own slot in the program's
 * memory, typed by what the slot holds (integers are kept as 64 bits there).
 */
function addressOf(c: ProbeChecker, e: Unary): Type {
  if (e.operand.kind !== 'Variable') {
    c.error('address-of operator (&) can only be used on a variable', e, e.operand.kind === 'MapRef' ? 'the address of a map is [not yet] supported: copy the value into a variable first, $v = @m[k]; &$v' : undefined);
    return none;
  }
  const t = c.typeOf(e.operand);
  if (t.kind === 'none') return none;
  const elem: Type = t.kind === 'int' ? { ...t, bits: 64 } : t;
  return { kind: 'int', bits: 64, signed: false, space: 'kernel', elem, ctype: `${typeName(elem)} *` };
}

function call(c: ProbeChecker, e: Call): Type {
  const fn = functions.get(e.name) ?? builtinCall(e.name, (n) => builtins.has(n));
  if (fn) return fn.check(c, e);
  if (aggregates.has(e.name)) {
    c.error(`${e.name}() should be assigned to a map, as in @x = ${e.name}(...)`, e);
    return none;
  }
  c.error(`Unknown function: ${e.name}`, { span: e.nameSpan }, didYouMean(e.name, [...functions.keys(), ...aggregates.keys()].filter((f) => !f.includes('-')), (f) => `${f}()`));
  return none;
}
