// Opening and loading a compiled program: the read-only globals the program reads as constants
// are filled in just before the kernel sees them, and a refusal comes back explained.

import type { CompiledProgram } from '../src/compiled';
import { BpfObject, LibbpfError, numPossibleCpus } from './libbpf';
import { BpfscriptError } from '../common/diagnostics';
import { wallClockAtBoot } from './format/timestamp';

/** How twins (a kprobe's fentry program) are loaded: runtime/attach/twin.ts. */
export interface TwinOptions {
  /** --no-fentry: load and attach the kprobes. */
  noFentry?: boolean;
  /** -v: where the fallback is reported. */
  say?: (line: string) => void;
}

/**
 * `cpid`: the -c command's pid, 0 without one; `files`: the script's file names, for the
 * explanation; `config`: more read-only slots by name (an artifact's positionals: argc, arg1 …).
 */
export function loadProgram(gen: CompiledProgram, cpid: number, files?: Iterable<string>, config: Record<string, bigint | Buffer> = {}, twins: TwinOptions = {}): BpfObject {
  if (!gen.meta.probes.some((p) => p.twin)) return loadOnce(gen, cpid, files, config, () => {});
  const { setTwinsLoaded, twinsWanted } = require('./attach/twin') as typeof import('./attach/twin');
  if (!twinsWanted(twins.noFentry)) return loadOnce(gen, cpid, files, config, (obj) => setTwinsLoaded(obj, gen.meta.probes, false));
  try {
    return loadOnce(gen, cpid, files, config, () => {});
  } catch (e) {
    // A function fentry cannot trace (notrace, or a trampoline the kernel refuses for it) fails the
    // whole object's load: load it again with the kprobes alone.
    if (!(e instanceof BpfscriptError)) throw e;
    twins.say?.(`the fentry programs did not load (${e.diagnostics[0]?.message.split('\n')[0] ?? 'refused'}); attaching kprobes instead`);
    return loadOnce(gen, cpid, files, config, (obj) => setTwinsLoaded(obj, gen.meta.probes, false));
  }
}

function loadOnce(gen: CompiledProgram, cpid: number, files: Iterable<string> | undefined, config: Record<string, bigint | Buffer>, prepare: (obj: BpfObject) => void): BpfObject {
  const { meta, elf } = gen;
  const obj = BpfObject.openMem(elf, 'bpfscript');
  try {
    prepare(obj);
    const rodata = obj.findMap('.rodata');
    if (rodata) {
      const init = Buffer.alloc(meta.rodata.size);
      init.writeBigUInt64LE(BigInt(cpid), meta.rodata.offsets.cpid);
      // Node's hrtime is CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns(): `elapsed` counts from here.
      if (meta.rodata.offsets.start_ns !== undefined) init.writeBigUInt64LE(process.hrtime.bigint(), meta.rodata.offsets.start_ns);
      if (meta.rodata.offsets.ncpus !== undefined) init.writeBigUInt64LE(BigInt(numPossibleCpus()), meta.rodata.offsets.ncpus);
      if (meta.rodata.offsets.wall_at_boot !== undefined) init.writeBigUInt64LE(wallClockAtBoot(), meta.rodata.offsets.wall_at_boot);
      for (const [name, value] of Object.entries(config)) {
        const at = meta.rodata.offsets[name];
        if (at === undefined) continue;
        // A text keeps its last byte for the terminator.
        if (Buffer.isBuffer(value)) value.copy(init, at, 0, Math.min(value.length, (meta.rodata.sizes?.[name] ?? 1) - 1));
        else init.writeBigInt64LE(BigInt.asIntN(64, value), at);
      }
      rodata.setInitialValue(init);
    }
    obj.load();
    return obj;
  } catch (e) {
    const log = obj.verifierLog;
    obj.close();
    // The verifier-log reader is required only when a load fails: ~3 ms of modules off every start.
    if (e instanceof LibbpfError) throw (require('./verifier') as typeof import('./verifier')).explainLoadFailure(e, log, files);
    throw e;
  }
}
