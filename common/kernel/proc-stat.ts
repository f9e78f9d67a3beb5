// A process's scheduler state from /proc/PID/stat: R running, S sleeping, T stopped, Z zombie …
// (the field after the command name, which may itself hold spaces and parentheses).

import { tryReadText } from './host';

/** The state letter, or null when the process is gone. */
export function processState(pid: number): string | null {
  const stat = tryReadText(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const close = stat.lastIndexOf(')');
  return stat.slice(close + 2, close + 3);
}
