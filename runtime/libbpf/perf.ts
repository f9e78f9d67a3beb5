// perf_event_open(2) through syscall(): the events profile:, interval: and software: probes attach
// BPF programs to (BpfProgram.attachPerfEvent). libc has no wrapper for it.

import { ffi } from './ffi';
import { LibbpfError, invalidArgument } from './errors';

export const PerfType = {
  HARDWARE: 0,
  SOFTWARE: 1,
  TRACEPOINT: 2,
  HW_CACHE: 3,
  RAW: 4,
  BREAKPOINT: 5,
} as const;

/** PERF_COUNT_SW_* */
export const PerfSoftware = {
  CPU_CLOCK: 0,
  TASK_CLOCK: 1,
  PAGE_FAULTS: 2,
  CONTEXT_SWITCHES: 3,
  CPU_MIGRATIONS: 4,
  PAGE_FAULTS_MIN: 5,
  PAGE_FAULTS_MAJ: 6,
  ALIGNMENT_FAULTS: 7,
  EMULATION_FAULTS: 8,
  DUMMY: 9,
  BPF_OUTPUT: 10,
} as const;

/** PERF_COUNT_HW_* (this VM has no hardware counters: opening them fails with ENOENT). */
export const PerfHardware = {
  CPU_CYCLES: 0,
  INSTRUCTIONS: 1,
  CACHE_REFERENCES: 2,
  CACHE_MISSES: 3,
  BRANCH_INSTRUCTIONS: 4,
  BRANCH_MISSES: 5,
  BUS_CYCLES: 6,
  STALLED_CYCLES_FRONTEND: 7,
  STALLED_CYCLES_BACKEND: 8,
  REF_CYCLES: 9,
} as const;

/** Software events by the names perf(1) lists them under. */
export const SOFTWARE_EVENT_NAMES: Readonly<Record<string, number>> = {
  'cpu-clock': PerfSoftware.CPU_CLOCK,
  'task-clock': PerfSoftware.TASK_CLOCK,
  'page-faults': PerfSoftware.PAGE_FAULTS,
  'context-switches': PerfSoftware.CONTEXT_SWITCHES,
  'cpu-migrations': PerfSoftware.CPU_MIGRATIONS,
  'minor-faults': PerfSoftware.PAGE_FAULTS_MIN,
  'major-faults': PerfSoftware.PAGE_FAULTS_MAJ,
  'alignment-faults': PerfSoftware.ALIGNMENT_FAULTS,
  'emulation-faults': PerfSoftware.EMULATION_FAULTS,
  'dummy': PerfSoftware.DUMMY,
  'bpf-output': PerfSoftware.BPF_OUTPUT,
};

/** Exactly one of event, software, hardware, or type + config names the event. */
export interface PerfEventOptions {
  /** a software event by its perf(1) name: 'cpu-clock', 'page-faults', … */
  event?: string;
  software?: number;
  hardware?: number;
  type?: number;
  config?: number | bigint;
  cpu: number;
  /** -1 (default): every process on `cpu` */
  pid?: number;
  /** fire every N events (for clocks: every N ns) … */
  samplePeriod?: number | bigint;
  /** … or N times a second; exactly one of the two */
  sampleFreq?: number;
  /** with type BREAKPOINT: what to watch (bp_type HW_BREAKPOINT_R/W/X bits, address, length) */
  breakpoint?: { type: number; addr: bigint; len: number };
}

const SYS_PERF_EVENT_OPEN: Partial<Record<string, number>> = { x64: 298, arm64: 241, riscv64: 241 };
const PERF_FLAG_FD_CLOEXEC = 8;
// PERF_ATTR_SIZE_VER7; the kernel accepts any size it knows and zero-filled larger ones.
const PERF_ATTR_SIZE = 128;
const ATTR_FLAG_FREQ = 1n << 10n;

/** Opens a sampling event and returns its fd; BpfProgram.attachPerfEvent takes it over. */
export function perfEventOpen(o: PerfEventOptions): number {
  let type: number;
  let config: number | bigint;
  if (o.event !== undefined) {
    const sw = SOFTWARE_EVENT_NAMES[o.event];
    if (sw === undefined) throw invalidArgument(`perf_event_open(${o.event})`, `unknown software event '${o.event}'`);
    type = PerfType.SOFTWARE;
    config = sw;
  } else if (o.software !== undefined) { type = PerfType.SOFTWARE; config = o.software; }
  else if (o.hardware !== undefined) { type = PerfType.HARDWARE; config = o.hardware; }
  else { type = o.type ?? -1; config = o.config ?? -1; }
  const label = `perf_event_open(type ${type} config ${config}, cpu ${o.cpu}${o.pid !== undefined && o.pid >= 0 ? `, pid ${o.pid}` : ''})`;
  if (type < 0 || config < 0) throw invalidArgument(label, 'name the event with software, hardware, or type and config');
  const nr = SYS_PERF_EVENT_OPEN[process.arch];
  if (nr === undefined) throw invalidArgument(label, `perf_event_open syscall number unknown for ${process.arch}`);
  if ((o.samplePeriod === undefined) === (o.sampleFreq === undefined)) {
    throw invalidArgument(label, 'give exactly one of samplePeriod and sampleFreq');
  }
  const attr = Buffer.alloc(PERF_ATTR_SIZE);
  attr.writeUInt32LE(type, 0);
  attr.writeUInt32LE(PERF_ATTR_SIZE, 4);
  attr.writeBigUInt64LE(BigInt(config), 8);
  attr.writeBigUInt64LE(BigInt(o.samplePeriod ?? o.sampleFreq ?? 0), 16); // union sample_period/sample_freq
  attr.writeBigUInt64LE(o.sampleFreq !== undefined ? ATTR_FLAG_FREQ : 0n, 40);
  if (o.breakpoint) {
    // bp_type (u32 at 52), then the unions bp_addr/config1 (56) and bp_len/config2 (64)
    attr.writeUInt32LE(o.breakpoint.type, 52);
    attr.writeBigUInt64LE(o.breakpoint.addr, 56);
    attr.writeBigUInt64LE(BigInt(o.breakpoint.len), 64);
  }
  const { libc } = ffi();
  // syscall() moves every argument into a 64-bit register, so pass them as long.
  const fd = Number(libc.syscall(nr, 'void *', attr, 'long', o.pid ?? -1, 'long', o.cpu, 'long', -1,
    'unsigned long', PERF_FLAG_FD_CLOEXEC));
  if (fd < 0) throw new LibbpfError(label, ffi().errno());
  return fd;
}

/** For a perf fd that was opened but never attached. */
export function closeFd(fd: number): void {
  if (ffi().libc.close(fd) < 0) throw new LibbpfError(`close(${fd})`, ffi().errno());
}
