// cgroupid("/sys/fs/cgroup/unified/x"): the id of a cgroup, fixed at compile time. A cgroup's id is
// its kernfs inode number, what the `cgroup` builtin returns (bpf_get_current_cgroup_id) for a task
// in that cgroup (v2). bpftrace reads it through name_to_handle_at, which only yields an 8-byte
// handle on cgroupfs: any other path is refused, as bpftrace refuses it.

import { statSync, statfsSync } from 'node:fs';
import { noteStat } from '../cache/deps';
import { none, u64 } from '../../common/types';
import type { CheckContext, FunctionDef } from './types';

const CGROUP_SUPER_MAGIC = 0x27e0eb;
const CGROUP2_SUPER_MAGIC = 0x63677270;

const ids = new WeakMap<object, bigint>();

function resolve(ctx: CheckContext, arg: Parameters<CheckContext['error']>[1], path: string): bigint | undefined {
  let fsType: number;
  let ino: bigint;
  // A cached compile must not outlive the cgroup: a recreated one has a new inode, so a new id.
  noteStat(path);
  try {
    fsType = Number(statfsSync(path).type);
    ino = statSync(path, { bigint: true }).ino;
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : String((e as Error).message);
    ctx.error(`Failed to get \`cgroupid\` for path: "${path}": ${why}`, arg, 'name a cgroup directory, e.g. under /sys/fs/cgroup (cgroup2: /sys/fs/cgroup or /sys/fs/cgroup/unified)');
    return undefined;
  }
  if (fsType !== CGROUP2_SUPER_MAGIC && fsType !== CGROUP_SUPER_MAGIC) {
    ctx.error(`Failed to get \`cgroupid\` for path: "${path}": not a cgroup filesystem`, arg, 'cgroup ids exist only on cgroupfs: `mount -t cgroup2` shows where the cgroup2 hierarchy is mounted');
    return undefined;
  }
  return ino;
}

export const cgroupid: FunctionDef = {
  name: 'cgroupid',
  check(ctx, call) {
    const [path] = call.args;
    if (call.args.length !== 1 || path.kind !== 'StrLit') {
      ctx.error('cgroupid() expects one string literal: the path of a cgroup', path ?? call);
      return none;
    }
    const id = resolve(ctx, path, path.value);
    if (id === undefined) return none;
    ids.set(call, id);
    return u64;
  },
  emit(ctx, call) {
    const id = ids.get(call) ?? resolveAgain(call.args[0]);
    return { type: u64, v: ctx.constInt(id) };
  },
};

/** A compile that type-checked in another process (cached analysis) still needs the value. */
function resolveAgain(arg: { kind: string; value?: unknown }): bigint {
  return statSync(String(arg.value), { bigint: true }).ino;
}
