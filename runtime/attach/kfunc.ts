// kfunc/kretfunc: fentry/fexit programs. libbpf resolved the target's BTF id when the object was
// loaded, so attaching is one call that builds the trampoline.

import { constants } from 'node:os';
import { ENOTSUPP } from '../libbpf';
import { describeFunction, kernelFunctions } from '../../common/kernel/btf-functions';
import { wildcardRegex } from '../../common/wildcard';
import { hasKprobes, tracingRefused } from '../../common/kernel/features';
import type { KfuncAttach } from '../../src/probes/kfunc.attach';
import type { Attacher, Listed, Unavailable } from './types';

const { EPERM, EOPNOTSUPP } = constants.errno;

function instead(provider: 'kfunc' | 'kretfunc'): string {
  const k = provider === 'kfunc' ? 'kprobe' : 'kretprobe';
  return hasKprobes()
    ? `use ${k}:FUNCTION instead (arguments as arg0..argN${provider === 'kretfunc' ? ', retval' : ''})`
    : 'this kernel has no kprobes either: trace a tracepoint (bpfscript -l "tracepoint:*") or a raw tracepoint, or run on a kernel that allows fentry';
}

function kernelFunction(provider: 'kfunc' | 'kretfunc'): Attacher<KfuncAttach> {
  return {
    provider,
    // As bpftrace finds: fentry programs on one function run newest first, fexit in attach order.
    lastAttachedRunsFirst: provider === 'kfunc',
    // A kernel that refuses tracing programs refuses them at load, before any attach.
    refusedAtLoad: true,
    unavailable(): Unavailable | undefined {
      if (tracingRefused() === null) return undefined;
      return {
        missing: `this kernel refuses fentry/fexit programs (loading a BPF tracing program fails with ${tracingRefused() === EPERM ? 'EPERM' : 'EOPNOTSUPP'})`,
        instead: instead(provider),
      };
    },
    attach: (prog) => [prog.attachTrace()],
    list(q) {
      // kfunc:FUNC and kfunc:vmlinux:FUNC both name a function; the names listed carry the module.
      const withModule = q.parts.length >= 2;
      const fn = q.parts.length ? wildcardRegex(q.parts[q.parts.length - 1]) : null;
      return kernelFunctions()
        .filter((f) => !fn || fn.test(f))
        .map((f): Listed => ({
          // bpftrace 0.22+ lists them as fentry/fexit.
          name: `${q.dialect === '0.26' ? (provider === 'kfunc' ? 'fentry' : 'fexit') : provider}:vmlinux:${f}`,
          key: withModule ? `vmlinux:${f}` : f,
          ...(q.verbose ? { describe: () => describeFunction(f) ?? undefined } : {}),
        }));
    },
    explain(errno) {
      if (errno === EPERM || errno === EOPNOTSUPP || errno === ENOTSUPP) {
        return `the kernel refused the BPF trampoline for this function; ${instead(provider)}`;
      }
      if (errno === constants.errno.EBUSY) return 'another program already replaces this function\'s trampoline (or it is attached too many times)';
      return undefined;
    },
  };
}

export const kfunc = kernelFunction('kfunc');
export const kretfunc = kernelFunction('kretfunc');
