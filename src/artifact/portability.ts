// Whether an artifact built on one kernel may run on this one. Most kernel struct member reads
// carry CO-RE relocations (src/semantic/core-member.ts) that libbpf fixes at load; the others
// (bitfields, members of named unions) and the tracepoint layouts are constants
// in the code. Rather than read the wrong bytes where those moved, or let libbpf fail on a
// missing member with its own words, a run checks them before anything loads and names the
// first that differs.

import { release } from 'node:os';
import type { ProgramMeta } from '../compiled';
import type { Dependency } from '../cache/deps';
import { BpfscriptError } from '../../common/diagnostics';

/** A tracepoint's `args` layout as the build kernel had it: its format's field lines, or null when it had none. */
export interface TracepointLayout {
  name: string;
  path: string;
  fields: string[] | null;
}

/**
 * The field lines of a tracepoint format, whitespace normalised: the layout of `args`. The
 * event's ID and print format differ between kernels without changing it.
 */
function fieldLines(path: string): string[] | null {
  try {
    const { readFileSync } = require('node:fs') as typeof import('node:fs');
    return readFileSync(path, 'latin1')
      .split('\n')
      .filter((l) => /^\s*field:/.test(l))
      .map((l) => l.trim().replace(/\s+/g, ' '));
  } catch {
    return null;
  }
}

/** The layouts of the tracepoints whose formats a compile read (its recorded dependencies). */
export function tracepointLayouts(deps: readonly Dependency[]): TracepointLayout[] {
  return deps
    .filter((d) => /\/events\/[^/]+\/[^/]+\/format$/.test(d.path))
    .map((d) => ({ name: tracepointName(d.path), path: d.path, fields: fieldLines(d.path) }));
}

function tracepointName(path: string): string {
  const m = /\/events\/([^/]+)\/([^/]+)\/format$/.exec(path);
  return m ? `${m[1]}:${m[2]}` : path;
}

function refuse(why: string): BpfscriptError {
  return new BpfscriptError({ severity: 'ERROR', message: `this artifact cannot run on kernel ${release()}: ${why}; rebuild it on this kernel` });
}

/**
 * Throws when this kernel lays out something the program reads differently from the build kernel:
 * a tracepoint's format (checked on every run: a module may change it), or a kernel struct member
 * (checked when the kernel release differs: the same release has the same BTF).
 */
export function checkPortability(meta: ProgramMeta, tracepoints: readonly TracepointLayout[], builtOn: string): void {
  for (const t of tracepoints) {
    if (!t.fields) continue;
    const now = fieldLines(t.path);
    if (!now) throw refuse(`it has no tracepoint ${t.name} (built on ${builtOn})`);
    const i = t.fields.findIndex((f, k) => f !== now[k]);
    if (i >= 0 || now.length !== t.fields.length) {
      const at = i >= 0 ? i : t.fields.length;
      throw refuse(`tracepoint ${t.name}'s fields differ from ${builtOn}'s, where it was built: '${now[at] ?? '(none)'}' here, '${t.fields[at] ?? '(none)'}' there`);
    }
  }
  if (!meta.kernelLayout?.length || builtOn === release()) return;
  const { Btf } = require('../../common/kernel/btf') as typeof import('../../common/kernel/btf');
  const { findNamedType, planMember } = require('../semantic/kernel-types') as typeof import('../semantic/kernel-types');
  const btf = Btf.vmlinux();
  if (!btf) throw new BpfscriptError({ severity: 'ERROR', message: `this artifact cannot run on kernel ${release()}: it reads kernel structs and this kernel has no BTF (/sys/kernel/btf/vmlinux)` });
  for (const l of meta.kernelLayout) {
    const id = findNamedType(btf, l.struct);
    if (id === null) throw refuse(`it has no ${l.struct} (built on ${builtOn})`);
    const plan = planMember(btf, id, l.member, true, 'kernel', !!l.indexed);
    if ('error' in plan) throw refuse(`${plan.error} (built on ${builtOn})`);
    // A relocated member's offset is libbpf's to fix; its size is still read as the build's.
    if (l.relocated ? plan.bytes !== l.bytes : plan.offset !== l.offset || plan.bytes !== l.bytes || plan.bitShift !== l.bitShift || plan.bitWidth !== l.bitWidth) {
      throw refuse(`${l.struct}'s member '${l.member}' is at byte ${plan.offset} (${plan.bytes} bytes) here, at byte ${l.offset} (${l.bytes} bytes) on ${builtOn}, where it was built`);
    }
  }
}
