// The kernel functions an fentry/fexit program can attach to (kfunc/kretfunc): BTF functions that
// ftrace can patch, when tracefs says which, and how `-lv` describes one. Shared by the compiler's
// kfunc probe and the runtime's listing.

import { Btf } from './btf';
import { filterFunctions } from './ftrace';

/** The traceable kernel functions (BTF functions ftrace can patch; every one when tracefs cannot say). */
export function kernelFunctions(): string[] {
  const btf = Btf.vmlinux();
  if (!btf) return [];
  const list = filterFunctions();
  const ok = list ? new Set(list) : null;
  return [...new Set(btf.funcNames().filter((f) => !ok || ok.has(f)))];
}

/** `-lv` lines of a kernel function: each parameter, then the return value ("    ssize_t retval"). */
export function describeFunction(func: string): string[] | null {
  const btf = Btf.vmlinux();
  const f = btf?.findFunc(func);
  if (!btf || !f) return null;
  const lines = f.params.map((p, i) => `    ${btf.typeName(p.type)} ${p.name || `arg${i}`}`);
  if (btf.resolve(f.ret).kind !== 'void') lines.push(`    ${btf.typeName(f.ret)} retval`);
  return lines;
}

/**
 * `-lv` lines of a raw tracepoint: the event's arguments as `args` names them (bpftrace 0.21+),
 * from its stub function's prototype without the private-data parameter and without a return.
 */
export function describeRawTracepoint(event: string): string[] | null {
  const btf = Btf.vmlinux();
  const f = btf?.findFunc(`__probestub_${event}`) ?? btf?.findFunc(`__traceiter_${event}`);
  if (!btf || !f) return null;
  return f.params.slice(1).map((p, i) => `    ${btf.typeName(p.type)} ${p.name || `arg${i}`}`);
}
