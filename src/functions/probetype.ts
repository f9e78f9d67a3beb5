// probetype (bpftrace 0.25+): the type of the probe as a string constant, in newer bpftrace's
// words: "tracepoint", "kprobe", "fentry" (a kfunc), "special" (BEGIN and END) …

import { stringType } from '../../common/types';
import type { BuiltinDef } from './types';

const nameOf = (t: { name: string; probetypeName?: string }): string => t.probetypeName ?? t.name;

export const probetype: BuiltinDef = {
  examples: [{ script: 'BEGIN { print(probetype); exit(); }', output: 'special\n\n\n' }],
  name: 'probetype',
  check: (ctx) => stringType(nameOf(ctx.probe.type).length + 1),
  emit: (ctx) => ctx.stringConstant(nameOf(ctx.probe.type)),
};
