// The compile cache: a script compiled once is not parsed, analysed or handed to LLVM again while
// nothing it depends on changed. An entry holds the ELF, the ProgramMeta and the system files the
// compile read (./deps.ts); the key names the source, the options and the compiler and kernel
// (./identity.ts). Errors are never cached, so every diagnostic still comes from a real compile.

import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ProgramMeta } from '../meta';
import { stillValid, type Dependency } from './deps';
import { identity } from './identity';

export { recordingReads } from './deps';

const MAGIC = 'bpfscript-cache-1\n';
/** Oldest entries beyond this are removed when a new one is written. */
const MAX_ENTRIES = 256;

export interface CachedProgram {
  elf: Buffer;
  meta: ProgramMeta;
}

interface Header {
  meta: ProgramMeta;
  deps: Dependency[];
  elfSha: string;
}

/** Where entries live, or null when caching is switched off (BPFSCRIPT_CACHE=0 or --no-cache). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.BPFSCRIPT_CACHE === '0' || env.BPFSCRIPT_CACHE === 'off') return null;
  if (env.BPFSCRIPT_CACHE_DIR) return env.BPFSCRIPT_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'bpfscript');
}

function sha(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The key for one compile: everything that could make its output differ. `dir`: the cache directory. */
export function cacheKey(source: string, options: object, dir?: string): string {
  return sha(JSON.stringify({ source, options, identity: identity(dir) })).slice(0, 40);
}

export function lookup(dir: string, key: string): CachedProgram | null {
  let data: Buffer;
  try {
    const path = join(dir, `${key}.bpfc`);
    // Entries are trusted only if written by this user: a shared cache is not an input channel.
    if (statSync(path).uid !== process.getuid?.()) return null;
    data = readFileSync(path);
  } catch {
    return null;
  }
  try {
    if (data.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
    const headerLen = data.readUInt32LE(MAGIC.length);
    const headerStart = MAGIC.length + 4;
    const header = JSON.parse(data.toString('utf8', headerStart, headerStart + headerLen), reviveBigint) as Header;
    const elf = data.subarray(headerStart + headerLen);
    if (sha(elf) !== header.elfSha) return null;
    if (!stillValid(header.deps)) return null;
    return { elf: Buffer.from(elf), meta: header.meta };
  } catch {
    // A truncated or foreign file is a miss; the next store replaces it.
    return null;
  }
}

/** Best effort: a cache that cannot be written (read-only home, full disk) only costs speed. */
export function store(dir: string, key: string, program: CachedProgram, deps: Dependency[]): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const header = Buffer.from(JSON.stringify({ meta: program.meta, deps, elfSha: sha(program.elf) } satisfies Header, replaceBigint), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length);
    // Written aside and renamed, so a concurrent reader sees the old entry or the whole new one.
    const tmp = join(dir, `.${key}.${process.pid}.tmp`);
    const fd = openSync(tmp, 'w', 0o600);
    try {
      for (const part of [Buffer.from(MAGIC, 'latin1'), len, header, program.elf]) writeSync(fd, part);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, `${key}.bpfc`));
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

/** ProgramMeta carries bigints (lhist bounds); JSON has none, so they travel as tagged strings. */
function replaceBigint(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? { $bigint: v.toString() } : v;
}

function reviveBigint(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && '$bigint' in v && Object.keys(v).length === 1) return BigInt((v as { $bigint: string }).$bigint);
  return v;
}
