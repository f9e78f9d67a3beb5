// probe: the full name of the probe that fired, e.g. "tracepoint:syscalls:sys_enter_openat". Each
// attach point has a program of its own, so the name is a constant of that program.

import { stringType } from '../../common/types';
import type { BuiltinDef } from './types';

export const probe: BuiltinDef = {
  examples: [{ script: 'BEGIN { printf("%s\\n", probe); exit(); }', output: 'BEGIN\n\n\n', sameAs017: true }],
  name: 'probe',
  check: (ctx) => stringType(Buffer.byteLength(ctx.probe.name, 'latin1') + 1),
  emit: (ctx) => ctx.stringConstant(ctx.probe.name),
};
