// The functions only --unsafe allows (system, signal, override: they change what the traced
// system does). system() runs in user space, so this module stays free of compiler modules.

import type { Call } from '../ast';
import type { CheckContext } from './types';

/** Reports the call when --unsafe was not given, as bpftrace does; true when it may be used. */
export function allowedUnsafe(ctx: CheckContext, call: Call): boolean {
  if (ctx.options.unsafe) return true;
  ctx.error(`${call.name}() is an unsafe function being used in safe mode`, call, `run with --unsafe to allow ${call.name}()`);
  return false;
}
