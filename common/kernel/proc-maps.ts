// A process's file mappings, from /proc/PID/maps: which ELF objects usdt -p probes and user
// stacks are found in.

import { tryReadText } from './host';

export interface Mapping {
  start: bigint;
  end: bigint;
  /** File offset of `start`. */
  offset: bigint;
  path: string;
}

/** The file-backed mappings (deleted files left out), or null when the process cannot be read. */
export function readMappings(pid: number): Mapping[] | null {
  const text = tryReadText(`/proc/${pid}/maps`);
  return text === null ? null : parseMappings(text);
}

/** The file-backed mappings of /proc/PID/maps text, deleted files left out. */
export function parseMappings(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ ([0-9a-f]+) \S+ \d+\s+(\/.*)$/.exec(line);
    if (m && !m[4].endsWith(' (deleted)')) out.push({ start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), offset: BigInt(`0x${m[3]}`), path: m[4] });
  }
  return out;
}
