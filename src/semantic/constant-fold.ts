// Integer expressions whose value is known when compiling, for the places that need a number
// there (a tuple index: `$t[1 + 1]`, as bpftrace 0.25+ folds literals before checking types).

import type { Expr } from '../ast';

/** The value of an integer expression made of literals and operators, or null. */
export function constantInteger(e: Expr): bigint | null {
  switch (e.kind) {
    case 'IntLit':
      return e.value;
    case 'Unary': {
      const v = constantInteger(e.operand);
      if (v === null) return null;
      if (e.op === '-') return -v;
      if (e.op === '~') return BigInt.asIntN(64, ~v);
      return null;
    }
    case 'Binary': {
      const l = constantInteger(e.left);
      const r = constantInteger(e.right);
      if (l === null || r === null) return null;
      switch (e.op) {
        case '+': return BigInt.asIntN(64, l + r);
        case '-': return BigInt.asIntN(64, l - r);
        case '*': return BigInt.asIntN(64, l * r);
        case '/': return r === 0n ? null : l / r;
        case '%': return r === 0n ? null : l % r;
        case '<<': return r < 0n || r > 63n ? null : BigInt.asIntN(64, l << r);
        case '>>': return r < 0n || r > 63n ? null : l >> r;
        case '&': return l & r;
        case '|': return l | r;
        case '^': return l ^ r;
        default: return null;
      }
    }
    default:
      return null;
  }
}
