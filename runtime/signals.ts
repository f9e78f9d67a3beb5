// Signals the process owns for its whole life, claimed by bin/bpfscript before anything else runs.
// SIGUSR1: Node's default starts the inspector, a debugger port on 127.0.0.1 through which any
// local user could run JavaScript in our root process. bpftrace prints the maps on SIGUSR1 and
// keeps tracing; a session registers that here. The listener is never removed: removing the last
// one would give SIGUSR1 back its default action (terminate) rather than a harmless one.

let onUsr1: (() => void) | null = null;
let claimed = false;

export function claimSignals(): void {
  if (claimed) return;
  claimed = true;
  process.on('SIGUSR1', () => onUsr1?.());
}

/** What SIGUSR1 does now (a running session prints its maps); null: nothing. */
export function onSigusr1(fn: (() => void) | null): void {
  claimSignals();
  onUsr1 = fn;
}
