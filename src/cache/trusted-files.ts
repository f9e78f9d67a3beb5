// Files a root process may believe. What the compile cache hands back is loaded into the kernel
// and its events are acted on (system() runs commands), so an entry is an input channel: it must
// come from a directory nobody else can write into, through a path nobody else can redirect, and
// be read from the very descriptor that was checked (no stat-then-open race).

import { closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readSync, realpathSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;
const GROUP_OR_OTHER_WRITE = 0o022;
const STICKY = 0o1000;

function euid(): number {
  return process.geteuid?.() ?? 0;
}

/**
 * Why `dir` may not hold trusted files, or null when it may: it must be a real directory owned by
 * the effective user and writable by nobody else, and every directory above it must be owned by
 * that user or root and writable by nobody else, except a sticky one (/tmp), where others cannot
 * rename or remove what is ours. Missing levels are created (0700), but only below a directory
 * that passes those rules itself. Throws what the file system says when the directory cannot be
 * made or looked at (not ours to judge: no permission, a read-only home).
 */
export function untrustedDirReason(dir: string): string | null {
  let existing = resolve(dir);
  const missing: string[] = [];
  while (!exists(existing)) {
    missing.unshift(basename(existing));
    existing = dirname(existing);
  }
  if (missing.length) {
    const why = pathReason(existing, false);
    if (why) return why;
    for (const m of missing) mkdirSync((existing = join(existing, m)), { mode: 0o700 });
  }
  return pathReason(dir, true);
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The rules above for every level of `dir`'s real path. `final`: `dir` itself must be ours alone;
 * otherwise it is only the parent of a directory we are about to create.
 */
function pathReason(dir: string, final: boolean): string | null {
  const me = euid();
  const parts = realpathSync(dir).split(sep).filter(Boolean);
  let path: string = sep;
  for (let i = 0; i <= parts.length; i++) {
    if (i > 0) path = join(path, parts[i - 1]);
    const st = lstatSync(path);
    const last = i === parts.length;
    if (!st.isDirectory()) return `${path} is not a directory`;
    if (last && final ? st.uid !== me : st.uid !== me && st.uid !== 0) return `${path} is owned by uid ${st.uid}`;
    if (st.mode & GROUP_OR_OTHER_WRITE) {
      // In a sticky directory only the owner of an entry may rename it: ours stay ours.
      const childIsOurs = last ? !final : lstatSync(join(path, parts[i])).uid === me;
      if ((last && final) || !(st.mode & STICKY) || !childIsOurs) return `${path} is writable by other users`;
    }
  }
  return null;
}

/**
 * The contents of `path` if it is a regular file owned by the effective user, writable by nobody
 * else and not a symlink; null otherwise. The checks are made on the open descriptor.
 */
export function readTrusted(path: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.uid !== euid() || st.mode & GROUP_OR_OTHER_WRITE || st.nlink !== 1) return null;
    const data = readUpTo(fd, st.size);
    return data.length === st.size ? data : null;
  } finally {
    closeSync(fd);
  }
}

/** Up to `size` bytes from the start of `fd`: fewer when the file shrank while read. */
export function readUpTo(fd: number, size: number): Buffer {
  const data = Buffer.alloc(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, data, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return data.subarray(0, got);
}

/**
 * Writes `parts` to `path` through a fresh temporary of unpredictable name, created exclusively
 * (never through a planted file or link), then renamed into place: a concurrent reader sees the old
 * file or the whole new one. `mode` is the file's, whatever the umask (an artifact is 0755).
 */
export function writeTrusted(path: string, parts: readonly (Buffer | string)[], mode = 0o600): void {
  // node:crypto only here, on the write path: a reader (an artifact run) does without its start-up.
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  const tmp = join(dirname(path), `.${randomBytes(12).toString('hex')}.tmp`);
  const fd = openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    try {
      for (const p of parts) {
        const data = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
        for (let at = 0; at < data.length; ) at += writeSync(fd, data, at);
      }
      if (mode !== 0o600) fchmodSync(fd, mode);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // Already renamed or gone.
    }
    throw e;
  }
}
