// arg0..argN and retval: raw 64-bit arguments and return values. Where they live depends on the
// probe type (pt_regs for kprobes and uprobes, the args array for raw tracepoints), so the probe
// type's module says how to read them.

import { none, u64 } from '../../common/types';
import type { BuiltinDef } from './types';

const MAX_ARGS = 12;

function arg(n: number): BuiltinDef {
  const name = `arg${n}`;
  return {
    name,
    check(ctx, node) {
      const args = ctx.probe.type.args;
      if (!args) {
        ctx.error(`${name} is not available in ${ctx.probe.provider} probes`, node, ctx.probe.type.namedArgs === 'tracepoint-fields' ? 'tracepoints name their arguments: args->field' : undefined);
        return none;
      }
      if (n >= args.count) {
        ctx.error(`${ctx.probe.provider} probes have ${args.count} arguments (arg0 to arg${args.count - 1})`, node);
        return none;
      }
      return u64;
    },
    emit: (ctx) => ({ type: u64, v: ctx.probe.type.args!.read(ctx, n, ctx.probe) }),
  };
}

export const argBuiltins: BuiltinDef[] = Array.from({ length: MAX_ARGS }, (_, i) => arg(i));

export const retval: BuiltinDef = {
  name: 'retval',
  check(ctx, node) {
    if (!ctx.probe.type.retval?.(ctx.probe)) {
      ctx.error(`retval is only available in return probes (kretprobe, uretprobe), not ${ctx.probe.provider}`, node);
      return none;
    }
    return u64;
  },
  emit: (ctx) => ({ type: u64, v: ctx.probe.type.retval!(ctx.probe)!(ctx) }),
};
