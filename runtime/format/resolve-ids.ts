// Numbers the probe records that user space words when they are printed, as bpftrace 0.17 does:
// a uid as its user name (username), an errno as its message (strerror).

import { readFileSync } from 'node:fs';
import { errnoText } from '../libbpf/errors';

/**
 * bpftrace reads /etc/passwd itself (not NSS): the first line whose uid field matches names the
 * user; an unknown uid prints as "". Read once per run, like a symbol table.
 */
let passwd: Map<string, string> | undefined;
export function resolveUsername(uid: bigint): string {
  if (!passwd) {
    passwd = new Map();
    let text = '';
    try {
      text = readFileSync('/etc/passwd', 'utf8');
    } catch {
      // bpftrace logs the failure and prints "": the value still prints, just empty.
    }
    for (const line of text.split('\n')) {
      const f = line.split(':');
      if (f.length > 2 && !passwd.has(f[2])) passwd.set(f[2], f[0]);
    }
  }
  return passwd.get(uid.toString()) ?? '';
}

/** The C library's message for an errno; glibc says "Unknown error N" past its table. */
export function strerrorText(value: bigint): string {
  const e = Number(BigInt.asIntN(32, value));
  // libbpf_strerror (which calls strerror_r) has its own words for its 4000+ codes; glibc does not.
  if (e < 0 || e >= 4000) return `Unknown error ${e}`;
  return errnoText(e);
}
