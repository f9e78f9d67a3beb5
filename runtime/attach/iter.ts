// iter:OBJECT: a BPF iterator. Attaching makes an iterator link; the session then runs it once,
// after BEGIN: every read() of an iterator fd runs the program over the kernel's objects, and EOF
// means all were visited, so the session ends there (END runs, maps print), as in bpftrace.

import { closeSync, readSync } from 'node:fs';
import { constants } from 'node:os';
import { ENOTSUPP } from '../libbpf';
import { ITERATORS } from '../../common/kernel/iterators';
import { tracingRefused } from '../../common/kernel/features';
import type { IterAttach } from '../../src/probes/iter.attach';
import type { Attacher } from './types';

const { EPERM, EOPNOTSUPP } = constants.errno;

export const iter: Attacher<IterAttach> = {
  provider: 'iter',
  unavailable() {
    const refused = tracingRefused();
    if (refused === null) return undefined;
    return {
      missing: `this kernel refuses BPF iterator programs (BPF tracing programs fail to load with ${refused === EPERM ? 'EPERM' : 'EOPNOTSUPP'})`,
      instead: 'read the same objects from /proc (tasks: /proc/*/status, open files: /proc/*/fd), or run on a kernel that allows BPF tracing programs',
    };
  },
  attach(prog, _probe, session) {
    const link = prog.attachIter();
    session.runOnce?.(() => {
      const fd = prog.createIterator(link);
      try {
        // The program writes nothing to the seq_file (its output goes through the ring buffer), so
        // each read returns 0 bytes at the end; the buffer only has to exist.
        const buf = Buffer.alloc(4096);
        while (readSync(fd, buf, 0, buf.length, null) > 0);
      } finally {
        closeSync(fd);
      }
    });
    return [link];
  },
  // Only `-l 'iter:*'` shows them: a plain -l keeps to what bpftrace 0.17 lists.
  list: () => ITERATORS.map((o) => ({ name: `iter:${o}` })),
  listOnlyWhenNamed: true,
  explain: (errno) =>
    errno === EPERM || errno === EOPNOTSUPP || errno === ENOTSUPP ? 'the kernel refused the BPF iterator' : undefined,
};
