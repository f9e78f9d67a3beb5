// is_err(ptr) (bpftrace 0.26+): whether a pointer is an ERR_PTR, an errno encoded as an address
// from -4095 to -1, as the kernel's IS_ERR() tests; bpftrace's library writes it the same way.

import { at, functionFor } from './desugar';

export const isErr = functionFor('is_err', [1], 'is_err(ptr)', (call) => {
  const n = at(call.span);
  const v = n.cast('int64', call.args[0]);
  return n.binary('&&', n.binary('<', v, n.int(0n)), n.binary('>=', v, n.int(-4095n)));
});
