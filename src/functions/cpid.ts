// cpid: the pid of the -c command, known only after the runtime has started it (stopped), so it
// is a read-only global the runtime sets before load; the verifier then sees a constant.

import { u32 } from '../../common/types';
import type { BuiltinDef } from './types';
import { at, builtinFor } from './desugar';

export const cpid: BuiltinDef = {
  examples: [{ script: 'BEGIN { printf("%d\\n", cpid > 0); exit(); }', args: ['-c', '/bin/true'], output: '1\n\n\n', sameAs017: true }],
  name: 'cpid',
  check: () => u32,
  emit: (ctx) => ({ type: u32, v: ctx.config('cpid') }),
};

/** has_cpid (bpftrace 0.24+): 1 when there is a -c command (cpid is its pid), else 0. */
export const hasCpid: BuiltinDef = builtinFor('has_cpid', (node) => {
  const n = at(node.span);
  return n.binary('!=', n.builtin('cpid'), n.int(0n));
});
hasCpid.examples = [{ script: 'BEGIN { printf("%d\\n", has_cpid); exit(); }', args: ['-c', '/bin/true'], output: '1\n\n\n' }];
