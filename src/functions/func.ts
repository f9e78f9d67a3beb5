// func: the traced function's name. Every attach point is a program of its own, so the name is
// known when compiling (wildcards expand to one program per function): a string constant, no
// symbol lookup at run time.

import { none, stringType } from '../types';
import type { ExpandedProbe } from '../probes';
import type { BuiltinDef } from './types';

function functionName(p: ExpandedProbe): string | undefined {
  const name = p.attach.func ?? p.attach.symbol;
  return typeof name === 'string' ? name : undefined;
}

export const func: BuiltinDef = {
  name: 'func',
  check(ctx, node) {
    const name = functionName(ctx.probe);
    if (name === undefined) {
      ctx.error(`func is not available in ${ctx.probe.provider} probes`, node, 'func names the traced function of kprobe, kretprobe, uprobe and uretprobe probes');
      return none;
    }
    return stringType(Buffer.byteLength(name, 'latin1') + 1);
  },
  emit: (ctx) => ctx.stringConstant(functionName(ctx.probe)!),
};
