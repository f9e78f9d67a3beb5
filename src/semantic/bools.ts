// bool (bpftrace 0.24+): `true`, `false`, `(bool)x`, and under the 0.26 dialect the results of
// comparisons, `&&`, `||` and `!`. bpftrace 0.17 has no bool: its `true` and `false` are the
// integers 1 and 0 and a comparison is an integer, so under 0.17 they stay integers and print
// as 0.17 prints them. In BPF a bool is an i64 0 or 1 like any integer; stored (variables, maps,
// tuples, events) it takes one byte, and it prints as `true` or `false`.

import type { Dialect } from '../../common/dialect';
import { intType, s64, u64, type BoolType, type IntType, type Type } from '../../common/types';

export const bool: BoolType = { kind: 'bool' };

/** What `true` and `false` are: a bool, or (0.17) the integers 1 and 0. */
export function boolLiteralType(dialect: Dialect): Type {
  return dialect === '0.17' ? s64 : bool;
}

/** What a comparison, `&&`, `||` and `!` give: a bool, or (0.17) an integer 0 or 1. */
export function truthType(dialect: Dialect): Type {
  return dialect === '0.17' ? u64 : bool;
}

const bit: IntType = intType(8, false);

/** A bool as an operand of arithmetic: the unsigned integer 0 or 1. Other types are unchanged. */
export function asInteger(t: Type): Type {
  return t.kind === 'bool' ? bit : t;
}

/**
 * The type of `l op r` when both operands are bools and the operator keeps them bools (bpftrace:
 * `&`, `|`, `^` of two bools is a bool), else undefined.
 */
export function boolBinary(op: string, l: Type, r: Type): Type | undefined {
  return l.kind === 'bool' && r.kind === 'bool' && (op === '&' || op === '|' || op === '^') ? bool : undefined;
}

/** Whether `(T)x` is a cast to bool, which 0.17 reads as a cast to uint8. */
export function isBoolCast(name: string, pointerDepth: number, dialect: Dialect): boolean {
  return name === 'bool' && pointerDepth === 0 && dialect !== '0.17';
}
