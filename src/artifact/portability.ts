// Whether an artifact built on one kernel may run on this one. Its code holds the build kernel's
// struct offsets and tracepoint layouts as constants (no CO-RE relocations yet), so rather than
// read the wrong bytes on a kernel where they moved, a run checks them before anything loads and
// names the first that differs.

import { release } from 'node:os';
import type { ProgramMeta } from '../compiled';
import { currentValue, type Dependency } from '../cache/deps';
import { BpfscriptError } from '../diagnostics';

/** The build's reads a run must find unchanged: tracepoint formats (the layout of `args`). */
export function portabilityDeps(deps: readonly Dependency[]): Dependency[] {
  return deps.filter((d) => /\/events\/[^/]+\/[^/]+\/format$/.test(d.path) && (d.kind === 'content' || d.kind === 'absent'));
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
export function checkPortability(meta: ProgramMeta, formats: readonly Dependency[], builtOn: string): void {
  for (const d of formats) {
    const now = currentValue(d);
    if (now === d.value) continue;
    const name = tracepointName(d.path);
    if (now === undefined || (d.kind === 'absent') !== (now === '')) {
      throw refuse(`it has no tracepoint ${name} (built on ${builtOn})`);
    }
    throw refuse(`tracepoint ${name} has another format than on ${builtOn}, where it was built`);
  }
  if (!meta.kernelLayout?.length || builtOn === release()) return;
  const { Btf } = require('../kernel/btf') as typeof import('../kernel/btf');
  const { findNamedType, planMember } = require('../semantic/kernel-types') as typeof import('../semantic/kernel-types');
  const btf = Btf.vmlinux();
  if (!btf) throw new BpfscriptError({ severity: 'ERROR', message: `this artifact cannot run on kernel ${release()}: it reads kernel structs and this kernel has no BTF (/sys/kernel/btf/vmlinux)` });
  for (const l of meta.kernelLayout) {
    const id = findNamedType(btf, l.struct);
    if (id === null) throw refuse(`it has no ${l.struct} (built on ${builtOn})`);
    const plan = planMember(btf, id, l.member, true, 'kernel');
    if ('error' in plan) throw refuse(`${plan.error} (built on ${builtOn})`);
    if (plan.offset !== l.offset || plan.bytes !== l.bytes || plan.bitShift !== l.bitShift || plan.bitWidth !== l.bitWidth) {
      throw refuse(`${l.struct}'s member '${l.member}' is at byte ${plan.offset} (${plan.bytes} bytes) here, at byte ${l.offset} (${l.bytes} bytes) on ${builtOn}, where it was built`);
    }
  }
}
