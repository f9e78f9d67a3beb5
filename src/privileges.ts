// Who may load and attach BPF programs. bpftrace 0.17 insists on root; 0.23+ asks for the
// capabilities instead: CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN covers both, as the kernel lets
// it), and, for a user other than root, CAP_DAC_READ_SEARCH and CAP_DAC_OVERRIDE to read tracefs
// and /sys/fs/bpf. bpfscript does the same whichever dialect it speaks: nothing changes for root.

import { readFileSync } from 'node:fs';
import { BpfscriptError } from '../common/diagnostics';

const CAP = { DAC_OVERRIDE: 1, DAC_READ_SEARCH: 2, SYS_ADMIN: 21, PERFMON: 38, BPF: 39 } as const;

/** The effective capability set of this process (CapEff in /proc/self/status). */
function effectiveCaps(): bigint {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'latin1'));
    return m ? BigInt(`0x${m[1]}`) : 0n;
  } catch {
    return 0n;
  }
}

/** The capabilities this process lacks to trace, in bpftrace's order; empty when it may. */
export function missingCapabilities(caps = effectiveCaps(), euid = process.geteuid?.() ?? 0): string[] {
  const has = (c: number) => (caps >> BigInt(c)) & 1n;
  const missing: string[] = [];
  if (euid !== 0) for (const c of ['DAC_READ_SEARCH', 'DAC_OVERRIDE'] as const) if (!has(CAP[c])) missing.push(`CAP_${c}`);
  if (!has(CAP.SYS_ADMIN)) for (const c of ['BPF', 'PERFMON'] as const) if (!has(CAP[c])) missing.push(`CAP_${c}`);
  return missing;
}

/**
 * Refuses to go on without the privileges to `what`. A user with none of them is told to run as
 * root (the usual answer); one with some is told which capability is missing.
 */
export function requirePrivileges(what: string, hint: string): void {
  const missing = missingCapabilities();
  if (!missing.length) return;
  if (missing.length === 4 || effectiveCaps() === 0n) {
    throw new BpfscriptError({ severity: 'ERROR', message: `bpfscript must run as root to ${what}`, hint });
  }
  throw new BpfscriptError({
    severity: 'ERROR',
    message: `bpfscript is missing the ${missing.join(' and ')} capabilit${missing.length === 1 ? 'y' : 'ies'} to ${what}`,
    hint: 'run it as root, or give it CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH and CAP_DAC_OVERRIDE (e.g. setpriv --ambient-caps)',
  });
}

/** Whether this process may load BPF programs (root, or the capabilities above). */
export function mayLoad(): boolean {
  return missingCapabilities().length === 0;
}
