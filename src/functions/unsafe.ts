// The functions only --unsafe allows (system, signal, override: they change what the traced
// system does), and the probe types a function may be used in.

import type { Call } from '../ast';
import type { CheckContext } from './types';

/** Reports the call when --unsafe was not given, as bpftrace does; true when it may be used. */
export function allowedUnsafe(ctx: CheckContext, call: Call): boolean {
  if (ctx.options.unsafe) return true;
  ctx.error(`${call.name}() is an unsafe function being used in safe mode`, call, `run with --unsafe to allow ${call.name}()`);
  return false;
}

/** Reports the call when the probe's type is not one of `providers`. */
export function allowedIn(ctx: CheckContext, call: Call, providers: readonly string[]): boolean {
  if (providers.includes(ctx.probe.provider)) return true;
  ctx.error(`${call.name} can not be used with "${ctx.probe.provider}" probes`, call, `${call.name}() works in ${providers.join(', ')} probes`);
  return false;
}
