// tracefs's available_filter_functions: the functions ftrace can patch, which is where a kprobe
// (through ftrace) or an fentry trampoline can sit. Root-only, absent without ftrace, unreadable
// under some lockdowns: then there are no names, and each user falls back its own way.

import { perHost, readText } from './host';
import { tracefsRoot } from './tracefs';

export interface FilterFunctions {
  file: string;
  /** Every name in the list, in its order (a name can appear more than once); null when unreadable. */
  names: string[] | null;
  /** Why it could not be read ("no such file or directory"). */
  error?: string;
}

export function filterFunctionList(): FilterFunctions {
  return perHost('ftrace:filter-functions', () => {
    const file = `${tracefsRoot() ?? '/sys/kernel/tracing'}/available_filter_functions`;
    try {
      return { file, names: readText(file).split('\n').map((l) => l.split(/\s/)[0]).filter(Boolean) };
    } catch (e) {
      return { file, names: null, error: (e as Error).message.split(',')[0].replace(/^\w+: /, '') };
    }
  });
}

export function filterFunctions(): string[] | null {
  return filterFunctionList().names;
}
