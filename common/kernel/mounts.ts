// The mount table (/proc/self/mounts): where tracefs and the cgroup hierarchies are mounted.
// Read afresh on each call, since mounts come and go.

import { tryReadText } from './host';

export interface Mount {
  /** The mounted device or pseudo-source ("cgroup2", "nodev", "/dev/sda1"). */
  source: string;
  dir: string;
  /** File system type ("tracefs", "cgroup2", "ext4"). */
  type: string;
}

/** Every mount, in the table's order; empty when the table cannot be read. */
export function mounts(): Mount[] {
  const out: Mount[] = [];
  for (const line of (tryReadText('/proc/self/mounts') ?? '').split('\n')) {
    const [source, dir, type] = line.split(' ');
    if (source && dir !== undefined) out.push({ source, dir, type: type ?? '' });
  }
  return out;
}
