// system(fmt, args...): runs the formatted command through /bin/sh in user space when the event is
// handled and prints what it wrote to stdout, in order with other output (bpftrace 0.17's popen).
// Only with --unsafe. The command runs asynchronously, and the session handles no later record until
// it has ended (RuntimeServices.hold): output keeps bpftrace's order, and a probe that calls system()
// on every event still lets Ctrl-C and SIGTERM through between commands.

import { spawn } from 'node:child_process';
import { formattedTextFunction } from './formatted-event';
import { allowedUnsafe } from './unsafe';

export const system = formattedTextFunction(
  'system',
  (cmd, rt) => {
    rt.hold(async () => {
      // Output printed so far goes out first, so the command's stderr lands after it.
      rt.output.flush();
      const out = await runShell(cmd);
      rt.output.message('syscall', out.toString('latin1'), false);
    });
  },
  allowedUnsafe,
);
system.examples = [{ script: 'BEGIN { system("echo %d", 7); exit(); }', args: ['--unsafe'], output: '7\n\n\n', sameAs017: true }];

/** The command's stdout, once it has exited (or failed to start: then nothing, as popen gives). */
function runShell(cmd: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    // The command is bytes; Node passes arguments as UTF-8 text.
    const p = spawn('/bin/sh', ['-c', Buffer.from(cmd, 'latin1').toString('utf8')], { stdio: ['inherit', 'pipe', 'inherit'] });
    p.stdout.on('data', (d: Buffer) => chunks.push(d));
    p.on('error', () => resolve(Buffer.concat(chunks)));
    p.on('close', () => resolve(Buffer.concat(chunks)));
  });
}
