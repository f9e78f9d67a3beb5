// cpid: the pid of the -c command, known only after the runtime has started it (stopped), so it
// is a read-only global the runtime sets before load; the verifier then sees a constant.

import { u32 } from '../types';
import type { BuiltinDef } from './types';

export const cpid: BuiltinDef = {
  name: 'cpid',
  check: () => u32,
  emit: (ctx) => ({ type: u32, v: ctx.config('cpid') }),
};
