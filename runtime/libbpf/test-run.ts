// bpf_prog_test_run_opts: runs a loaded program once (or `repeat` times) in the kernel. BEGIN and
// END are raw_tp programs run this way, so their output is ordered before and after every probe.

import { ffi, OPTS_SIZE, type TestRunOpts } from './ffi';
import { checkRet } from './errors';

export interface TestRunOptions {
  /** the program's context (raw_tp: its u64 arguments) */
  ctx?: Buffer;
  /** packet data, for skb/xdp programs */
  data?: Buffer;
  /** receives the packet after the run */
  dataOut?: Buffer;
  /** raw_tp refuses repeat, duration and data: leave them unset for BEGIN/END (EINVAL otherwise) */
  repeat?: number;
  flags?: number;
  cpu?: number;
}

export interface TestRunResult {
  /** the program's return value (r0, truncated to u32 by the kernel) */
  retval: number;
  /** average ns per run, 0 where the program type does not measure it */
  duration: number;
  /** bytes written into dataOut */
  dataSizeOut: number;
}

/** BPF_F_TEST_RUN_ON_CPU: run a raw_tp program on opts.cpu instead of the current CPU. */
export const TEST_RUN_ON_CPU = 1;

export function testRunFd(fd: number, label: string, o: TestRunOptions = {}): TestRunResult {
  const opts: TestRunOpts = { sz: OPTS_SIZE.testRun };
  if (o.ctx) { opts.ctx_in = o.ctx; opts.ctx_size_in = o.ctx.length; }
  if (o.data) { opts.data_in = o.data; opts.data_size_in = o.data.length; }
  if (o.dataOut) { opts.data_out = o.dataOut; opts.data_size_out = o.dataOut.length; }
  if (o.repeat !== undefined) opts.repeat = o.repeat;
  if (o.flags !== undefined) opts.flags = o.flags;
  if (o.cpu !== undefined) opts.cpu = o.cpu;
  checkRet(ffi().libbpf.bpf_prog_test_run_opts(fd, opts), `bpf_prog_test_run_opts(${label})`);
  return { retval: opts.retval ?? 0, duration: opts.duration ?? 0, dataSizeOut: opts.data_size_out ?? 0 };
}
