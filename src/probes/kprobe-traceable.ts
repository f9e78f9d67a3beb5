// bpftrace 0.2x's checks of a kprobe's named function before anything is attached: a module that
// is not loaded is an error; a function the kernel cannot trace (not in the traceable list, or one
// of the functions bpftrace refuses: rcu_*, the idle loop) gets the warning "is not traceable"
// and, unless --unsafe, is a missing attach point (config missing_probes decides what that does).

import type { AttachPoint } from '../ast';
import { BpfscriptError, error } from '../../common/diagnostics';
import { functionsOfModule, kernelFunctions } from '../../common/kernel/kprobe-functions';
import { perHost } from '../../common/kernel/host';
import { wildcardRegex } from '../../common/wildcard';

/** Functions bpftrace 0.2x leaves out of kprobes (from the kernel's kprobe_multi selftests). */
const BAD = new Set(['arch_cpu_idle', 'default_idle', 'bpf_dispatcher_xdp_func']);
const BAD_PREFIXES = ['__ftrace_invalid_address__', 'rcu_'];

export const badKprobeFunction = (f: string): boolean => BAD.has(f) || BAD_PREFIXES.some((p) => f.startsWith(p));

function traceable(): Set<string> {
  return perHost('kprobe-traceable', () => new Set(kernelFunctions().names.filter((f) => !badKprobeFunction(f))));
}

/** Throws what bpftrace 0.26 says of `name:[module:]func` before attaching, if anything. */
export function checkKprobeTarget(name: string, ap: AttachPoint, module: string | undefined, func: string, unsafe: boolean): void {
  if (module !== undefined && module !== 'vmlinux' && !/[*?]/.test(module) && functionsOfModule(wildcardRegex(module)).size === 0) {
    throw error(`specified module ${module} in probe ${name}:${module}:${func} is not loaded.`, ap.span, 'list the loaded modules with lsmod');
  }
  if (unsafe || /[*?]/.test(func) || /^(0x[0-9a-f]+|\d+)$/i.test(func) || traceable().has(func)) return;
  throw new BpfscriptError([
    { severity: 'WARNING', message: `${func} is not traceable (either non-existing, inlined, or marked as "notrace"); attaching to it will likely fail`, span: ap.span, missing: true },
    { severity: 'ERROR', message: `${func} is not a traceable kernel function`, span: ap.span, hint: `list the functions kprobes can trace with: bpfscript -l "${name}:*"`, missing: true },
  ]);
}
