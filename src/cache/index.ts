// The compile cache: a script compiled once is not parsed, analysed or handed to LLVM again while
// nothing it depends on changed. An entry holds the ELF, the ProgramMeta and the system files the
// compile read (./deps.ts); the key names the source, the options and the compiler and kernel
// (./identity.ts). Errors are never cached, so every diagnostic still comes from a real compile.

import { createHash } from 'node:crypto';
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ProgramMeta } from '../compiled';
import { stillValid, type Dependency } from './deps';
import { identity } from './identity';
import { cryptoSha256, decode, encode, type ContainerHeader } from '../artifact/format';
import { readTrusted, untrustedDirReason, writeTrusted } from './trusted-files';

export { recordingReads } from './deps';

/** Oldest entries beyond this are removed when a new one is written. */
const MAX_ENTRIES = 256;

export interface CachedProgram {
  elf: Buffer;
  meta: ProgramMeta;
}

/** An entry is the container `bpfscript build` writes too (src/artifact/format.ts), with these in its header. */
interface Header extends ContainerHeader {
  /** The key the entry was written under: a file renamed to another key is not that key's entry. */
  key: string;
  deps: Dependency[];
}

/** Where entries live, or null when caching is switched off (BPFSCRIPT_CACHE=0 or --no-cache). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.BPFSCRIPT_CACHE === '0' || env.BPFSCRIPT_CACHE === 'off') return null;
  if (env.BPFSCRIPT_CACHE_DIR) return env.BPFSCRIPT_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'bpfscript');
}

/**
 * The cache directory if it can be trusted (see trusted-files.ts), else null after one `warn`: a
 * directory another user can write into (`sudo -E` keeps the user's HOME, a shared
 * BPFSCRIPT_CACHE_DIR) would let them choose what root loads.
 */
export function trustedCacheDir(dir: string, warn?: (text: string) => void): string | null {
  let why: string | null;
  try {
    why = untrustedDirReason(dir);
  } catch {
    // A cache that cannot be made (another user's HOME, a read-only one) only costs speed.
    return null;
  }
  if (why === null) return dir;
  warn?.(`WARNING: not using the compile cache at ${dir}: ${why}; it must belong to you alone (set BPFSCRIPT_CACHE_DIR, or BPFSCRIPT_CACHE=0 to silence this)\n`);
  return null;
}

function sha(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The key for one compile: everything that could make its output differ. `dir`: the cache directory. */
export function cacheKey(source: string, options: object, dir?: string): string {
  return sha(JSON.stringify({ source, options, identity: identity(dir) })).slice(0, 40);
}

export function lookup(dir: string, key: string): CachedProgram | null {
  const data = readTrusted(join(dir, `${key}.bpfc`));
  if (!data) return null;
  try {
    const { header, elf } = decode<Header>(data, cryptoSha256);
    if (header.key !== key) return null;
    if (!stillValid(header.deps)) return null;
    return { elf, meta: header.meta };
  } catch {
    // A truncated, damaged or foreign file is a miss; the next store replaces it.
    return null;
  }
}

/** Best effort: a cache that cannot be written (read-only home, full disk) only costs speed. `dir` passed trustedCacheDir. */
export function store(dir: string, key: string, program: CachedProgram, deps: Dependency[]): void {
  try {
    writeTrusted(join(dir, `${key}.bpfc`), [encode({ header: { key, meta: program.meta, deps } satisfies Header, elf: program.elf }, undefined, cryptoSha256)]);
    prune(dir);
  } catch {
    // See above.
  }
}

function prune(dir: string): void {
  const entries = readdirSync(dir).filter((n) => n.endsWith('.bpfc'));
  if (entries.length <= MAX_ENTRIES) return;
  const byAge = entries
    .map((n) => ({ n, t: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => a.t - b.t);
  for (const { n } of byAge.slice(0, entries.length - MAX_ENTRIES)) {
    try {
      unlinkSync(join(dir, n));
    } catch {
      // Another process pruned it first.
    }
  }
}
