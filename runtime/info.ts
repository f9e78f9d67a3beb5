// --info: what this kernel lets bpfscript do, in bpftrace's section layout. Probe types come from
// the attachers' own unavailable() checks, so --info and a refused attach always agree; helpers are
// probed by loading a one-call program, as libbpf_probe_bpf_helper does.

import { arch, release, version } from 'node:os';
import { BpfHelper } from '../common/kernel/bpf-helpers';
import { host } from '../common/kernel/host';
import { attachers } from './attach';
import { BpfMap, Insn, LibbpfError, MapType, ProgType, RawProgram, assemble } from './libbpf';

/** The helpers --info reports, under bpftrace's names; d_path and skb_output exist only for
 * tracing (fentry) programs, the rest are probed from a kprobe program as bpftrace does. */
const HELPERS: readonly [name: string, id: BpfHelper, tracingOnly?: boolean][] = [
  ['probe_read', BpfHelper.PROBE_READ],
  ['probe_read_str', BpfHelper.PROBE_READ_STR],
  ['probe_read_user', BpfHelper.PROBE_READ_USER],
  ['probe_read_user_str', BpfHelper.PROBE_READ_USER_STR],
  ['probe_read_kernel', BpfHelper.PROBE_READ_KERNEL],
  ['probe_read_kernel_str', BpfHelper.PROBE_READ_KERNEL_STR],
  ['get_current_cgroup_id', BpfHelper.GET_CURRENT_CGROUP_ID],
  ['send_signal', BpfHelper.SEND_SIGNAL],
  ['override_return', BpfHelper.OVERRIDE_RETURN],
  ['get_boot_ns', BpfHelper.KTIME_GET_BOOT_NS],
  ['dpath', BpfHelper.D_PATH, true],
  ['skboutput', BpfHelper.SKB_OUTPUT, true],
];

const BPF_TRACE_FENTRY = 24;

/** bpftrace's map types and names, then the ring buffer bpfscript's events travel through; each
 * with the smallest geometry the kernel accepts for it. */
const MAPS: readonly [name: string, type: number, keySize: number, valueSize: number, entries: number][] = [
  ['hash', MapType.HASH, 4, 4, 1],
  ['percpu hash', MapType.PERCPU_HASH, 4, 4, 1],
  ['array', MapType.ARRAY, 4, 4, 1],
  ['percpu array', MapType.PERCPU_ARRAY, 4, 4, 1],
  ['stack_trace', MapType.STACK_TRACE, 4, 8, 1],
  ['perf_event_array', MapType.PERF_EVENT_ARRAY, 4, 4, 1],
  ['ringbuf', MapType.RINGBUF, 0, 0, 4096],
];

/** A map type is available when a map of it can be created, as libbpf_probe_bpf_map_type finds out. */
function mapAvailable(type: number, keySize: number, valueSize: number, maxEntries: number): boolean {
  try {
    BpfMap.create({ type, keySize, valueSize, maxEntries }).close();
    return true;
  } catch (e) {
    if (!(e instanceof LibbpfError)) throw e;
    return false;
  }
}

/** The verifier names a helper the program type may not call "unknown func"; any other refusal
 * (argument types) means the call itself is allowed. */
function helperAvailable(id: number, tracingOnly: boolean): boolean {
  const insns = assemble(Insn.movImm(1, 0), Insn.movImm(2, 0), Insn.movImm(3, 0), Insn.movImm(4, 0), Insn.movImm(5, 0), Insn.call(id), Insn.movImm(0, 0), Insn.exit());
  try {
    RawProgram.load({ type: tracingOnly ? ProgType.TRACING : ProgType.KPROBE, expectedAttachType: tracingOnly ? BPF_TRACE_FENTRY : undefined, insns, logSize: 1 << 16 }).close();
    return true;
  } catch (e) {
    if (!(e instanceof LibbpfError)) throw e;
    const log = e.verifierLog ?? '';
    return log !== '' && !/unknown func|invalid func/.test(log);
  }
}

export function kernelInfo(toolVersion: string): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const lines = ['System', `  OS: Linux ${release()} ${version()}`, `  Arch: ${arch() === 'x64' ? 'x86_64' : arch()}`, '', 'Build', `  version: ${toolVersion}`, '', 'Kernel helpers'];
  for (const [name, id, tracingOnly] of HELPERS) lines.push(`  ${name}: ${yes(helperAvailable(id, !!tracingOnly))}`);
  lines.push('', 'Kernel features', `  btf: ${yes(host().exists('/sys/kernel/btf/vmlinux'))}`, '', 'Map types');
  for (const [name, type, k, v, n] of MAPS) lines.push(`  ${name}: ${yes(mapAvailable(type, k, v, n))}`);
  lines.push('', 'Probe types');
  for (const [provider, a] of attachers.entries()) {
    const u = a.unavailable?.();
    lines.push(`  ${provider}: ${u ? `no (${u.missing})` : 'yes'}`);
  }
  return `${lines.join('\n')}\n`;
}
