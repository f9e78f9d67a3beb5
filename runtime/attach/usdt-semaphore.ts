// USDT semaphores: a probe guarded by `if (PROVIDER_NAME_ENABLED())` only fires while its
// semaphore (a u16 in the binary's data) is non-zero. With -p the counter is raised in the target
// process's memory through /proc/PID/mem, and lowered again when tracing ends.

import { closeSync, openSync, readSync, realpathSync, writeSync } from 'node:fs';
import { readText } from '../../common/kernel/host';
import { parseMappings } from '../../common/kernel/proc-maps';

/** The address in process `pid` of `fileOffset` in `binary`, or null if it is not mapped there. */
export function addressInProcess(pid: number, binary: string, fileOffset: number): bigint | null {
  let real = binary;
  try {
    real = realpathSync(binary);
  } catch {
    // compare the path as given
  }
  const off = BigInt(fileOffset);
  for (const m of parseMappings(readText(`/proc/${pid}/maps`))) {
    if (m.path !== real && m.path !== binary) continue;
    if (off >= m.offset && off < m.offset + (m.end - m.start)) return m.start + (off - m.offset);
  }
  return null;
}

/** Adds `delta` to the u16 semaphore at `addr` in process `pid`; false if the process is gone. */
export function adjustSemaphore(pid: number, addr: bigint, delta: number): boolean {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/mem`, 'r+');
  } catch {
    return false;
  }
  try {
    const buf = Buffer.alloc(2);
    if (readSync(fd, buf, 0, 2, addr) !== 2) return false;
    buf.writeUInt16LE(Math.max(0, Math.min(0xffff, buf.readUInt16LE(0) + delta)));
    return writeSync(fd, buf, 0, 2, Number(addr)) === 2;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
