// Every failure of runtime/libbpf surfaces as a LibbpfError: errno, the operation that failed, the
// text libbpf (or libc) gives for that errno, and whatever libbpf printed while failing. The CLI
// turns it into one diagnostic; nothing here prints.

import { constants as osConstants } from 'node:os';
import { ffi } from './ffi';

export const LogLevel = { WARN: 0, INFO: 1, DEBUG: 2 } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

export interface LibbpfMessage {
  level: LogLevel;
  text: string;
}

// libbpf's own error space starts at 4000 (libbpf.h enum libbpf_errno).
const LIBBPF_CODES = [
  'LIBBPF_ERRNO__LIBELF', 'LIBBPF_ERRNO__FORMAT', 'LIBBPF_ERRNO__KVERSION', 'LIBBPF_ERRNO__ENDIAN',
  'LIBBPF_ERRNO__INTERNAL', 'LIBBPF_ERRNO__RELOC', 'LIBBPF_ERRNO__LOAD', 'LIBBPF_ERRNO__VERIFY',
  'LIBBPF_ERRNO__PROG2BIG', 'LIBBPF_ERRNO__KVER', 'LIBBPF_ERRNO__PROGTYPE', 'LIBBPF_ERRNO__WRNGPID',
  'LIBBPF_ERRNO__INVSEQ', 'LIBBPF_ERRNO__NLPARSE',
];

// The kernel returns ENOTSUPP (524, kernel-internal) for unsupported map operations; libc has no
// name or text for it, so "Unknown error 524" would reach the user.
export const ENOTSUPP = 524;

let errnoNames: Map<number, string> | undefined;

export function errnoName(errno: number): string {
  if (errno >= 4000 && errno < 4000 + LIBBPF_CODES.length) return LIBBPF_CODES[errno - 4000]!;
  if (errno === ENOTSUPP) return 'ENOTSUPP';
  if (!errnoNames) {
    errnoNames = new Map();
    for (const [name, n] of Object.entries(osConstants.errno)) if (!errnoNames.has(n)) errnoNames.set(n, name);
  }
  return errnoNames.get(errno) ?? `E${errno}`;
}

export function errnoText(errno: number): string {
  if (errno === ENOTSUPP) return 'Operation not supported by this kernel for this object';
  const buf = Buffer.alloc(256);
  // libbpf_strerror covers both its own 4000+ codes and plain errno (via strerror_r).
  ffi().libbpf.libbpf_strerror(errno, buf, buf.length);
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? buf.length : end);
}

export interface LibbpfErrorDetails {
  /** libbpf messages printed during the failed call (see print.ts). */
  messages?: LibbpfMessage[];
  /** the kernel verifier's log, when a program load failed */
  verifierLog?: string;
  /** overrides the errno text, for failures detected before calling into libbpf */
  reason?: string;
}

export class LibbpfError extends Error {
  /** positive errno (libbpf's own codes are ≥ 4000) */
  readonly errno: number;
  /** symbolic errno: 'ENOENT', 'EPERM', 'LIBBPF_ERRNO__FORMAT', … */
  readonly code: string;
  /** the libbpf/libc/syscall operation that failed, with its main argument */
  readonly operation: string;
  /** libbpf's text for errno (or the reason given) */
  readonly reason: string;
  readonly messages: LibbpfMessage[];
  readonly verifierLog: string;

  constructor(operation: string, errno: number, details: LibbpfErrorDetails = {}) {
    const e = Math.abs(errno);
    const reason = details.reason ?? errnoText(e);
    const code = errnoName(e);
    const messages = details.messages ?? [];
    // Only warnings explain a failure; INFO/DEBUG lines stay on .messages for whoever wants them.
    const warnings = messages.filter((m) => m.level === LogLevel.WARN).map((m) => m.text.trimEnd());
    super([`${operation}: ${reason} (${code})`, ...warnings].join('\n'));
    this.name = 'LibbpfError';
    this.errno = e;
    this.code = code;
    this.operation = operation;
    this.reason = reason;
    this.messages = messages;
    this.verifierLog = details.verifierLog ?? '';
  }
}

/** A handle used after close(), or before the object it belongs to was loaded. */
export class HandleStateError extends LibbpfError {
  constructor(operation: string, reason: string, errno = osConstants.errno.EBADF) {
    super(operation, errno, { reason });
    this.name = 'HandleStateError';
  }
}

/** Throws unless ret ≥ 0. libbpf 1.x returns -errno from int functions (and sets errno too). */
export function checkRet(ret: number, operation: string, details?: LibbpfErrorDetails): number {
  if (ret < 0) throw new LibbpfError(operation, -ret, details);
  return ret;
}

/** Throws for a NULL pointer result; errno must be read right after the call (README trap 6). */
export function checkPtr<T>(ptr: T | null, operation: string, errno: number, details?: LibbpfErrorDetails): T {
  if (ptr === null || ptr === undefined || (ptr as unknown) === 0n) {
    throw new LibbpfError(operation, errno || osConstants.errno.EINVAL, details);
  }
  return ptr;
}

export function invalidArgument(operation: string, reason: string): LibbpfError {
  return new LibbpfError(operation, osConstants.errno.EINVAL, { reason });
}
