// cgroup_path(id [, filter]) as bpftrace 0.17 prints it: for each cgroup hierarchy mounted (from
// the mount table; cgroup2 named "unified", a v1 hierarchy by its mount directory's name) whose name
// matches the filter (`*` wildcards), the path below the mount of the directory whose inode is the
// id, as "name:/path"; hierarchies without one are left out; "unified" first, then by name; joined
// by ",". The id is the cgroup's inode in each hierarchy, so a v1 root (inode 1) matches too.

import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { mounts } from '../../common/kernel/mounts';

function roots(): { name: string; dir: string }[] {
  return mounts()
    .filter((m) => m.source === 'cgroup' || m.source === 'cgroup2')
    .map((m) => ({ name: m.source === 'cgroup2' ? 'unified' : basename(m.dir), dir: m.dir }));
}

const inode = (p: string): bigint | undefined => {
  try {
    return statSync(p, { bigint: true }).ino;
  } catch {
    return undefined;
  }
};

/** Found paths, re-checked before reuse: a cgroup removed and recreated gets a new inode. */
const cache = new Map<string, string>();

function pathIn(id: bigint, dir: string): string {
  const key = `${id}\0${dir}`;
  const hit = cache.get(key);
  if (hit !== undefined && inode(join(dir, hit)) === id) return hit;
  if (inode(dir) === id) return remember(key, '/');
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return '';
  }
  for (const rel of entries) {
    if (inode(join(dir, rel)) === id) return remember(key, `/${rel}`);
  }
  return '';
}

function remember(key: string, path: string): string {
  cache.set(key, path);
  return path;
}

function wildcard(filter: string): RegExp {
  return new RegExp(`^${filter.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export function resolveCgroupPath(id: bigint, filter = '*'): string {
  const match = wildcard(filter);
  const found = roots()
    .filter((r) => match.test(r.name))
    .map((r) => ({ name: r.name, path: pathIn(id, r.dir) }))
    .filter((r) => r.path !== '');
  found.sort((a, b) => (a.name === b.name ? 0 : a.name === 'unified' ? -1 : b.name === 'unified' ? 1 : a.name < b.name ? -1 : 1));
  return found.map((r) => `${r.name}:${r.path}`).join(',');
}
