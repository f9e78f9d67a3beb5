// Artifact files on disk. An artifact is loaded into the kernel as root and may run commands
// (--unsafe), so it is believed only when nobody but root and the user running it could have
// written it, and it is checked on the very descriptor it is read from (no stat-then-open race).

import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { BpfscriptError } from '../../common/diagnostics';
import { readUpTo, writeTrusted } from '../cache/trusted-files';

const GROUP_OR_OTHER_WRITE = 0o022;

/** One line, no hint: a refusal must be read at a glance in a fleet's logs. */
function refuse(message: string): BpfscriptError {
  return new BpfscriptError({ severity: 'ERROR', message });
}

/**
 * Who may own an artifact: root, the user running bpfscript and, under sudo, the user who ran
 * sudo (SUDO_UID, set by sudo itself: whoever can set root's environment owns the machine anyway).
 */
function trustedOwners(): Set<number> {
  const owners = new Set<number>([0]);
  if (process.getuid) owners.add(process.getuid());
  if (process.geteuid) owners.add(process.geteuid());
  const sudo = process.env.SUDO_UID;
  if (sudo && /^\d+$/.test(sudo) && process.geteuid?.() === 0) owners.add(Number(sudo));
  return owners;
}

export function readArtifact(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (e) {
    const { errnoWords } = require('../../common/errno-words') as typeof import('../../common/errno-words');
    throw refuse(`cannot open artifact '${path}': ${errnoWords(e as NodeJS.ErrnoException)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw refuse(`artifact '${path}' is not a regular file`);
    if (!trustedOwners().has(st.uid)) {
      throw refuse(`refusing artifact '${path}': it is owned by uid ${st.uid}, not by root or you, so they could rewrite what root loads`);
    }
    if (st.mode & GROUP_OR_OTHER_WRITE) {
      throw refuse(`refusing artifact '${path}': it is writable by other users (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}; chmod go-w it)`);
    }
    return readUpTo(fd, st.size);
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` to `path`, executable (0755), as the compile cache writes its entries. */
export function writeArtifact(path: string, data: Buffer): void {
  writeTrusted(path, [data], 0o755);
}
