// self:signal:SIGUSR1 (bpftrace 0.24+): run by the session when bpfscript receives the signal
// (runtime/session.ts), never attached; this module only lists it for `-l 'self:*'`.

import type { SpecialAttach } from '../../src/probes/special.attach';
import type { Attacher } from './types';

export const self: Attacher<SpecialAttach> = {
  provider: 'self',
  attach: () => [],
  // bpftrace 0.17's plain -l has no such probe.
  listOnlyWhenNamed: true,
  list: () => [{ name: 'self:signal:SIGUSR1' }],
};
