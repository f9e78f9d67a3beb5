// Raw BPF programs the kernel's verifier rejects, one per kind of rejection that no safe script
// can produce (bpfscript's code generator never emits them). Each is loaded through the libbpf
// binding; the kernel's own log is what the explainer is tested on.

import { BpfMap, Insn as R, LibbpfError, MapType, ProgType as P, RawProgram } from '../runtime/libbpf';
import { BpfHelper } from '../common/kernel/bpf-helpers';
import { spawnSync } from './child';

// BPF_PROG_TYPE_CGROUP_SKB, which the binding's table lacks.
const ProgType = { ...P, CGROUP_SKB: 8 };

export interface RawCase {
  kind: string;
  type: number;
  license?: string;
  /**
   * Refused only without CAP_PERFMON (root may read unwritten stack, return and compare pointers):
   * loaded in a child that drops it (capsh), keeping CAP_BPF.
   */
  unprivileged?: boolean;
  /** A map the program uses (closed by the caller): an 8-byte array, or a ring buffer. */
  map?: 'array' | 'ringbuf';
  insns: (mapFd: number) => Buffer[];
}

/** A looked-up 8-byte array value in r0 (NULL-checked unless `check` is false), key 0 on the stack. */
const lookup = (fd: number, check = true) => [
  R.stDw(10, -8, 0),
  R.ldMapFd(1, fd),
  R.movReg(2, 10),
  R.addImm(2, -8),
  R.call(BpfHelper.MAP_LOOKUP_ELEM),
  // A NULL result returns (0) at once.
  ...(check ? [R.jneImm(0, 0, 1), R.exit()] : []),
];

export const RAW_CASES: RawCase[] = [
  { kind: 'scalar-deref', type: ProgType.SOCKET_FILTER, insns: () => [R.movImm(1, 0), R.ldxDw(0, 1, 0), R.exit()] },
  { kind: 'uninit-register', type: ProgType.SOCKET_FILTER, insns: () => [R.movReg(0, 2), R.exit()] },
  { kind: 'no-return-value', type: ProgType.SOCKET_FILTER, insns: () => [R.exit()] },
  { kind: 'stack-limit', type: ProgType.SOCKET_FILTER, insns: () => [R.stDw(10, -520, 0), R.movImm(0, 0), R.exit()] },
  { kind: 'infinite-loop', type: ProgType.SOCKET_FILTER, insns: () => [R.movImm(0, 0), R.ja(-2)] },
  { kind: 'jump-out-of-range', type: ProgType.SOCKET_FILTER, insns: () => [R.movImm(0, 0), R.ja(5), R.exit()] },
  { kind: 'unreachable', type: ProgType.SOCKET_FILTER, insns: () => [R.movImm(0, 0), R.exit(), R.movImm(0, 1), R.exit()] },
  { kind: 'no-exit', type: ProgType.SOCKET_FILTER, insns: () => [R.movImm(0, 0)] },
  { kind: 'frame-pointer-write', type: ProgType.SOCKET_FILTER, insns: () => [R.movImm(10, 0), R.movImm(0, 0), R.exit()] },
  { kind: 'context-access', type: ProgType.KPROBE, insns: () => [R.ldxDw(0, 1, 4096), R.exit()] },
  { kind: 'helper-not-allowed', type: ProgType.SOCKET_FILTER, insns: () => [R.movImm(2, 0), R.call(BpfHelper.OVERRIDE_RETURN), R.movImm(0, 0), R.exit()] },
  { kind: 'unknown-helper', type: ProgType.SOCKET_FILTER, insns: () => [R.call(99999), R.movImm(0, 0), R.exit()] },
  { kind: 'helper-size-unbounded', type: ProgType.KPROBE, insns: () => [R.call(BpfHelper.KTIME_GET_NS), R.movReg(2, 0), R.movReg(1, 10), R.addImm(1, -8), R.movImm(3, 0), R.call(BpfHelper.PROBE_READ_KERNEL), R.movImm(0, 0), R.exit()] },
  { kind: 'modified-context', type: ProgType.KPROBE, insns: () => [R.addImm(1, 8), R.ldxDw(0, 1, 0), R.exit()] },
  { kind: 'return-value-range', type: ProgType.CGROUP_SKB, insns: () => [R.movImm(0, 2), R.exit()] },
  { kind: 'gpl-only', type: ProgType.KPROBE, license: 'Proprietary', insns: () => [R.stDw(10, -8, 0), R.movReg(1, 10), R.addImm(1, -8), R.movImm(2, 8), R.call(BpfHelper.TRACE_PRINTK), R.movImm(0, 0), R.exit()] },
  { kind: 'null-pointer', type: ProgType.SOCKET_FILTER, map: 'array', insns: (fd) => [...lookup(fd, false), R.ldxDw(0, 0, 0), R.exit()] },
  { kind: 'null-arithmetic', type: ProgType.SOCKET_FILTER, map: 'array', insns: (fd) => [...lookup(fd, false), R.addImm(0, 8), R.movImm(0, 0), R.exit()] },
  { kind: 'map-value-bounds', type: ProgType.SOCKET_FILTER, map: 'array', insns: (fd) => [...lookup(fd), R.ldxDw(0, 0, 8), R.exit()] },
  { kind: 'unbounded-index', type: ProgType.SOCKET_FILTER, map: 'array', insns: (fd) => [...lookup(fd), R.movReg(6, 0), R.call(BpfHelper.KTIME_GET_NS), R.addReg(6, 0), R.ldxDw(0, 6, 0), R.exit()] },
  { kind: 'helper-argument-type', type: ProgType.SOCKET_FILTER, insns: () => [R.movImm(1, 0), R.movReg(2, 10), R.addImm(2, -8), R.call(BpfHelper.MAP_LOOKUP_ELEM), R.movImm(0, 0), R.exit()] },
  { kind: 'pointer-arithmetic', type: ProgType.SOCKET_FILTER, insns: () => [R.movReg(2, 10), R.addReg(2, 2), R.movImm(0, 0), R.exit()] },
  { kind: 'uninit-stack', type: ProgType.SOCKET_FILTER, unprivileged: true, insns: () => [R.ldxDw(0, 10, -8), R.exit()] },
  { kind: 'pointer-leak', type: ProgType.SOCKET_FILTER, unprivileged: true, insns: () => [R.movReg(0, 10), R.exit()] },
  { kind: 'pointer-comparison', type: ProgType.SOCKET_FILTER, unprivileged: true, insns: () => [R.movImm(0, 0), R.jneReg(1, 10, 1), R.movImm(0, 1), R.exit()] },
  { kind: 'reference-leak', type: ProgType.SOCKET_FILTER, map: 'ringbuf', insns: (fd) => [R.ldMapFd(1, fd), R.movImm(2, 8), R.movImm(3, 0), R.call(BpfHelper.RINGBUF_RESERVE), R.movImm(0, 0), R.exit()] },
];

/** Loads a case and returns the kernel's refusal (null if it was accepted). */
export function rejection(c: RawCase): LibbpfError | null {
  if (c.unprivileged && process.argv[2] !== '--log') {
    const r = spawnSync('capsh', ['--drop=cap_perfmon,cap_sys_admin', '--', '-c', `exec "${process.execPath}" "${__filename}" --log ${c.kind}`], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`capsh: ${r.stderr}`);
    return r.stdout ? new LibbpfError(`bpf_prog_load(${c.kind})`, 13 /* EACCES */, { verifierLog: r.stdout }) : null;
  }
  const map = c.map === 'array'
    ? BpfMap.create({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 })
    : c.map === 'ringbuf' ? BpfMap.create({ type: MapType.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 }) : undefined;
  try {
    const p = RawProgram.load({ type: c.type, name: c.kind.replace(/-/g, '_').slice(0, 15), license: c.license, insns: Buffer.concat(c.insns(map?.fd ?? -1)) });
    p.close();
    return null;
  } catch (e) {
    if (e instanceof LibbpfError) return e;
    throw e;
  } finally {
    map?.close();
  }
}

if (require.main === module && process.argv[2] === '--log') {
  process.stdout.write(rejection(RAW_CASES.find((c) => c.kind === process.argv[3])!)?.verifierLog ?? '');
} else if (require.main === module) {
  for (const c of RAW_CASES) if (!process.argv[2] || c.kind === process.argv[2]) process.stdout.write(`=== ${c.kind}\n${rejection(c)?.verifierLog ?? 'accepted'}\n`);
}
