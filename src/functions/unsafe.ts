// The functions only --unsafe allows (system, signal, override: they change what the traced
// system does). system() runs in user space, so this module stays free of compiler modules.

import type { Call } from '../ast';
import type { CheckContext } from './types';

/**
 * Reports the call when --unsafe was not given, as bpftrace does; true when it may be used.
 * `stdlib`: bpftrace 0.26 writes this function as a macro of its standard library, whose refusal
 * has words of its own (signal, signal_thread, override, write_user), used under --compat 0.26.
 */
export function allowedUnsafe(ctx: CheckContext, call: Call, stdlib = false): boolean {
  if (ctx.options.unsafe) return true;
  if (stdlib && ctx.options.dialect !== '0.17') ctx.error(`${call.name}() is unsafe. To use you need the --unsafe flag`, call, `run with --unsafe to allow ${call.name}()`);
  else ctx.error(`${call.name}() is an unsafe function being used in safe mode`, call, `run with --unsafe to allow ${call.name}()`);
  return false;
}
