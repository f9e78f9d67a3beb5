// Integer helpers shared by value and aggregation printing: values arrive as 64-bit patterns and
// print as their type says.

/** An integer as its type says it should read: sign- or zero-extended from `bits`. */
export function normalizeInt(v: bigint, bits: number, signed: boolean): bigint {
  return signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
}

/** print(@m, top, div)'s division, truncating toward zero. */
export function divide(v: bigint, div: bigint): bigint {
  return div === 1n ? v : v / div;
}
