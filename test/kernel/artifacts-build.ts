// Artifacts for the kernel lane, built on the host (run-lane.sh runs this before booting) so the
// guest runs what another kernel compiled: `node dist/test/kernel/artifacts-build.js`.

import { execFileSync } from '../child';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from '../helpers';

const DIR = join(ROOT, 'dist', 'test', 'kernel', 'artifacts');

/** By name: a tracepoint count by comm with hist() and printf of str(), and a curtask chain. */
export const ARTIFACT_SCRIPTS = {
  tracepoints:
    'tracepoint:syscalls:sys_enter_openat /comm == "kreads"/ { printf("open %s\\n", str(args->filename)); } ' +
    'tracepoint:syscalls:sys_enter_read /comm == "kreads"/ { @reads[comm] = count(); @sizes = hist(args->count); }',
  curtask: 'tracepoint:syscalls:sys_enter_read /pid == cpid/ { printf("%d %d\\n", curtask->pid == pid, curtask->real_parent->pid > 1); exit(); }',
  // The seed's TCP latency program (examples/14), its send probe also reading the struct sock *
  // argument: skc_daddr sits in an anonymous struct inside an anonymous union.
  sock:
    'kprobe:tcp_sendmsg { $sk = (struct sock *)arg0; @sends[comm, $sk->__sk_common.skc_family, $sk->sk_protocol, $sk->__sk_common.skc_daddr] = count(); @sent[tid] = nsecs; } ' +
    'kprobe:tcp_recvmsg /@sent[tid] != 0/ { @usecs[comm] = hist((nsecs - @sent[tid]) / 1000); delete(@sent[tid]); }',
} as const;

export function artifactPath(name: keyof typeof ARTIFACT_SCRIPTS): string {
  return join(DIR, `${name}.bpfa`);
}

if (require.main === module) {
  mkdirSync(DIR, { recursive: true });
  for (const [name, script] of Object.entries(ARTIFACT_SCRIPTS)) {
    execFileSync(process.execPath, [BIN, 'build', '-e', script, '-o', artifactPath(name as keyof typeof ARTIFACT_SCRIPTS)], { stdio: 'inherit', timeout: 120_000 });
  }
}
