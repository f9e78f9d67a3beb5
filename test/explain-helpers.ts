// Shared by the explain and examples suites: which of some program ids the kernel still holds.
// By id rather than by name, so programs other test runs load at the same time do not count.

import { spawnSync } from './child';

export function stillLoaded(ids: number[]): number[] {
  let left = ids;
  // The kernel frees a program shortly after its last fd closes.
  for (let i = 0; i < 20 && left.length; i++) {
    left = left.filter((id) => spawnSync('bpftool', ['prog', 'show', 'id', String(id)]).status === 0);
    if (left.length) spawnSync('sleep', ['0.05']);
  }
  return left;
}
