// system(fmt, args...): runs the formatted command through /bin/sh in user space when the event is
// handled and prints what it wrote to stdout, in order with other output (bpftrace 0.17's popen).
// Only with --unsafe.

import { spawnSync } from 'node:child_process';
import { formattedTextFunction } from './formatted-event';
import { allowedUnsafe } from './unsafe';

export const system = formattedTextFunction(
  'system',
  (cmd, rt) => {
    // Output printed so far goes out first, so the command's stderr lands after it.
    rt.output.flush();
    // The command is bytes; Node passes arguments as UTF-8 text.
    const r = spawnSync('/bin/sh', ['-c', Buffer.from(cmd, 'latin1').toString('utf8')], { stdio: ['inherit', 'pipe', 'inherit'], maxBuffer: 1 << 30 });
    rt.output.message('syscall', r.stdout ? r.stdout.toString('latin1') : '', false);
  },
  allowedUnsafe,
);
