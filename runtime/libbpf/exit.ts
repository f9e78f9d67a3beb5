// Ending the process once a session is over, without Node's shutdown.
//
// Node (20 through 24 at least; nodejs/node#54918) can deadlock when it exits: the main thread
// waits for the platform's worker threads (DrainTasks when the event loop empties, a thread join
// inside process.exit), while a worker thread, in the middle of a background JIT compile, waits
// for the main thread to collect garbage. A session has just run a lot of freshly optimised
// code, so about 1 run in 50 under load hung for ever after printing everything. _exit(2) ends
// the process at once: every byte bpfscript prints went out through write(2) already, and the
// kernel drops the BPF programs, maps and links with their file descriptors.

import { ffiIfLoaded } from './ffi';

export function exitNow(status: number): never {
  // Without the bindings (libbpf failed to load) nothing ran that could hang Node's shutdown, and
  // loading them again would only fail again.
  const bound = ffiIfLoaded();
  if (!bound) process.exit(status);
  bound.libc._exit(status);
  throw new Error('internal: _exit returned');
}
