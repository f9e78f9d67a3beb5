// Constants that `#include <…>` makes visible. bpftrace runs clang over the headers and so sees
// their #define macros; BTF carries types and enums but no macros, and bpfscript runs no C
// compiler. So the object-like macros that tracing scripts actually use (bpftrace's own tools:
// TASK_RUNNING in runqlat, AF_INET in the tcp* tools) are listed here per header, with the values
// of the kernel's stable uapi/ABI. A header that includes another sees its macros too. errno.h's
// E… names are this platform's (Node's os.constants.errno), as strerror() scripts use them.

import { constants } from 'node:os';

const SOCKET: Record<string, bigint> = {
  AF_UNSPEC: 0n, AF_UNIX: 1n, AF_LOCAL: 1n, AF_INET: 2n, AF_INET6: 10n, AF_NETLINK: 16n, AF_PACKET: 17n,
  PF_UNSPEC: 0n, PF_UNIX: 1n, PF_LOCAL: 1n, PF_INET: 2n, PF_INET6: 10n, PF_NETLINK: 16n, PF_PACKET: 17n,
  SOCK_STREAM: 1n, SOCK_DGRAM: 2n, SOCK_RAW: 3n,
};

const SCHED: Record<string, bigint> = {
  TASK_RUNNING: 0n, TASK_INTERRUPTIBLE: 1n, TASK_UNINTERRUPTIBLE: 2n, __TASK_STOPPED: 4n, __TASK_TRACED: 8n,
  EXIT_DEAD: 0x10n, EXIT_ZOMBIE: 0x20n, TASK_PARKED: 0x40n, TASK_DEAD: 0x80n, TASK_WAKEKILL: 0x100n,
  TASK_WAKING: 0x200n, TASK_NOLOAD: 0x400n, TASK_NEW: 0x800n, TASK_KILLABLE: 0x102n, TASK_STOPPED: 0x104n,
  TASK_IDLE: 0x402n, TASK_COMM_LEN: 16n,
};

const ERRNO: Record<string, bigint> = Object.fromEntries(Object.entries(constants.errno).map(([k, v]) => [k, BigInt(v)]));

const HEADERS: Record<string, Record<string, bigint>[]> = {
  'errno.h': [ERRNO],
  'sys/errno.h': [ERRNO],
  'linux/errno.h': [ERRNO],
  'asm-generic/errno.h': [ERRNO],
  'asm-generic/errno-base.h': [ERRNO],
  'linux/socket.h': [SOCKET],
  'sys/socket.h': [SOCKET],
  'net/sock.h': [SOCKET],
  'linux/sched.h': [SCHED],
};

/** The macros the given `#include` paths define (empty when none is known). */
export function includedMacros(paths: readonly string[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const p of paths) for (const table of HEADERS[p] ?? []) for (const [k, v] of Object.entries(table)) out.set(k, v);
  return out;
}

/** Whether bpfscript knows the macros of this header (it then needs no file of it). */
export const knownHeader = (path: string): boolean => Object.hasOwn(HEADERS, path);
