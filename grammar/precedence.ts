// C's binary operator precedence (higher binds tighter); all of them are left-associative. The
// parser reads `a op b op c ...` flat, in one rule, and this resolves the tree: one grammar rule
// instead of ten keeps the rule stack shallow, which is what chevrotain's error recovery walks.

import type { BinaryOp } from '../src/ast';

export const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  '||': 1,
  '&&': 2,
  '|': 3,
  '^': 4,
  '&': 5,
  '==': 6, '!=': 6,
  '<': 7, '<=': 7, '>': 7, '>=': 7,
  '<<': 8, '>>': 8,
  '+': 9, '-': 9,
  '*': 10, '/': 10, '%': 10,
};

/**
 * Builds the tree for operands[0] ops[0] operands[1] ... with an operator stack (shunting-yard).
 * `make` creates one node; operators are looked up by their text.
 */
export function climb<E, O>(operands: E[], ops: O[], opText: (o: O) => BinaryOp, make: (op: O, l: E, r: E) => E): E {
  const values: E[] = [operands[0]!];
  const pending: O[] = [];
  const reduce = () => {
    const r = values.pop()!;
    const l = values.pop()!;
    values.push(make(pending.pop()!, l, r));
  };
  for (let i = 0; i < ops.length; i++) {
    const prec = PRECEDENCE[opText(ops[i]!)] ?? 0;
    while (pending.length > 0 && (PRECEDENCE[opText(pending[pending.length - 1]!)] ?? 0) >= prec) reduce();
    pending.push(ops[i]!);
    values.push(operands[i + 1]!);
  }
  while (pending.length > 0) reduce();
  return values[0]!;
}
