// The one container a compiled program is stored in, by the compile cache (src/cache/) and by
// `bpfscript build` alike: a header (the ProgramMeta, and whatever its user adds: the cache its key
// and dependencies, an artifact the script's text) and the ELF, behind a format version and a
// sha256 over every other byte. Its bytes are loaded into the kernel as root, so nothing in it is
// believed before the version, the length and the hash agree.
//
//   [#!… \n]                         optional: an artifact is directly executable
//   bpfscript-artifact VERSION\n
//   BODY_LENGTH sha256:HEX\n         the hash covers the other lines and the body
//   body: u32le HEADER_LENGTH, header JSON, ELF

import type { ProgramMeta } from '../compiled';
import { SMALL, sha256Hex } from './sha256';

export const FORMAT_VERSION = 1;
const MAGIC = 'bpfscript-artifact';

export interface ContainerHeader {
  meta: ProgramMeta;
  /** More fields, by user: the cache's key and dependencies, an artifact's script text. */
  [more: string]: unknown;
}

export interface Container<H extends ContainerHeader = ContainerHeader> {
  header: H;
  elf: Buffer;
}

/** Why a container is refused; `kind` for callers that treat some reasons alike (the cache: a miss). */
export class ContainerError extends Error {
  constructor(
    readonly kind: 'foreign' | 'version' | 'truncated' | 'tampered',
    message: string,
  ) {
    super(message);
  }
}

/** The hex sha256 of the parts, one after another. */
export type Hasher = (parts: readonly Buffer[]) => string;

/** node:crypto's, which the compile cache has loaded anyway for its keys. */
export const cryptoSha256: Hasher = (parts) => {
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/** An artifact run's: small containers without loading node:crypto (./sha256.ts). */
function sha256(parts: readonly Buffer[]): string {
  return parts.reduce((n, p) => n + p.length, 0) <= SMALL ? sha256Hex(parts) : cryptoSha256(parts);
}

export function encode(c: Container, shebang?: string, hash: Hasher = sha256): Buffer {
  const header = Buffer.from(JSON.stringify(c.header, replaceBigint), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  const body = Buffer.concat([len, header, c.elf]);
  const first = Buffer.from(shebang === undefined ? '' : `${shebang}\n`, 'utf8');
  const magic = Buffer.from(`${MAGIC} ${FORMAT_VERSION}\n`, 'latin1');
  const digest = hash([first, magic, body]);
  return Buffer.concat([first, magic, Buffer.from(`${body.length} sha256:${digest}\n`, 'latin1'), body]);
}

/** The line of `data` that starts at `from`, without its newline, and where the next one starts. */
function line(data: Buffer, from: number, max: number): { text: string; next: number } | null {
  const end = data.indexOf(0x0a, from);
  if (end < 0 || end - from > max) return null;
  return { text: data.toString('latin1', from, end), next: end + 1 };
}

export function decode<H extends ContainerHeader = ContainerHeader>(data: Buffer, hash: Hasher = sha256): Container<H> {
  let at = 0;
  if (data[0] === 0x23 && data[1] === 0x21) {
    const shebang = line(data, 0, 4096);
    if (!shebang) throw new ContainerError('foreign', 'not a bpfscript artifact');
    at = shebang.next;
  }
  const magic = line(data, at, 64);
  const m = magic && /^bpfscript-artifact (\d+)$/.exec(magic.text);
  if (!magic || !m) {
    // The file's start, cut short before its first lines ended, is still recognisable.
    const rest = data.toString('latin1', at, at + MAGIC.length);
    if (rest.length > 0 && MAGIC.startsWith(rest) && !magic) throw new ContainerError('truncated', 'the artifact is truncated');
    throw new ContainerError('foreign', 'not a bpfscript artifact');
  }
  const version = Number(m[1]);
  if (version !== FORMAT_VERSION) throw new ContainerError('version', `artifact format version ${version}; this bpfscript reads version ${FORMAT_VERSION}`);
  const sum = line(data, magic.next, 100);
  if (!sum) throw new ContainerError('truncated', 'the artifact is truncated');
  const s = /^(\d+) sha256:([0-9a-f]{64})$/.exec(sum.text);
  if (!s) throw new ContainerError('tampered', 'integrity check failed: the checksum line is damaged');
  const body = data.subarray(sum.next);
  const want = Number(s[1]);
  if (body.length < want) throw new ContainerError('truncated', `the artifact is truncated (${body.length} of ${want} bytes)`);
  if (body.length > want || hash([data.subarray(0, magic.next), body]) !== s[2]) {
    throw new ContainerError('tampered', 'integrity check failed: the contents do not match their sha256');
  }
  try {
    const headerLen = body.readUInt32LE(0);
    const header = JSON.parse(body.toString('utf8', 4, 4 + headerLen), reviveBigint) as H;
    if (!header || typeof header.meta !== 'object' || 4 + headerLen > body.length) throw new Error('no meta');
    return { header, elf: Buffer.from(body.subarray(4 + headerLen)) };
  } catch {
    // The hash matched: whatever wrote this was not this format's writer.
    throw new ContainerError('foreign', 'not a bpfscript artifact (its header cannot be read)');
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
