// Loads the compiled object (root only) with a statistics-level verifier log per program, reads
// the kernel's figures, and unloads everything again: nothing is attached, nothing stays loaded.

import type { CompiledProgram } from '../compiled';
import type { Palette } from './colour';

export interface ProgramFigures {
  progName: string;
  /** The kernel's id of the program while it was loaded. */
  id: number;
  probe: string;
  processed: number | null;
  limit: number | null;
  stackDepth: number[];
  peakStates: number | null;
  timeUsec: number | null;
  xlatedInsns: number;
  jitedBytes: number;
}

const LOG_BYTES = 64 << 10;

/** `files`: the script's file names, so a rejection's span names the script as given. */
export async function verifierFigures(gen: CompiledProgram, files: string[] = []): Promise<ProgramFigures[]> {
  // Lazy: the compile-only stages must not load libbpf.
  const { BpfObject, LibbpfError } = await import('../../runtime/libbpf');
  const { parseVerifierStats, explainLoadFailure, VerifierLogLevel } = await import('../../runtime/verifier');
  const { setTwinsLoaded } = await import('../../runtime/attach/twin');
  const obj = BpfObject.openMem(gen.elf, 'bpfscript');
  try {
    for (const prog of obj.programs()) prog.setLogBuffer(LOG_BYTES, VerifierLogLevel.Stats);
    // The figures are the script's programs'; a kprobe's fentry twin (src/semantic/twins.ts) is
    // an alternative the run picks at load, refused outright on kernels without tracing programs.
    setTwinsLoaded(obj, gen.meta.probes, false);
    try {
      obj.load();
    } catch (e) {
      if (e instanceof LibbpfError) throw explainLoadFailure(e, rejectionLog(BpfObject, LibbpfError, gen.elf), files);
      throw e;
    }
    return gen.meta.probes.map((pm) => {
      const prog = obj.program(pm.progName);
      const stats = parseVerifierStats(prog.log);
      const info = prog.info();
      return {
        progName: pm.progName,
        id: info.id,
        probe: pm.name,
        processed: stats?.processed ?? null,
        limit: stats?.limit ?? null,
        stackDepth: stats?.stackDepth ?? [],
        peakStates: stats?.peakStates ?? null,
        timeUsec: stats?.timeUsec ?? null,
        xlatedInsns: info.xlatedBytes / 8,
        jitedBytes: info.jitedBytes,
      };
    });
  } finally {
    obj.close();
  }
}

/**
 * A statistics-level log says nothing about why the verifier refused: the object is loaded once
 * more without one, and libbpf's retry at level 1 yields the instruction trace the explanation
 * is built from.
 */
function rejectionLog(Obj: typeof import('../../runtime/libbpf').BpfObject, Err: typeof import('../../runtime/libbpf').LibbpfError, elf: Buffer): string {
  const again = Obj.openMem(elf, 'bpfscript');
  try {
    again.load();
    return '';
  } catch (e) {
    if (e instanceof Err) return e.verifierLog;
    throw e;
  } finally {
    again.close();
  }
}

export function renderFigures(figs: ProgramFigures[], elfInsns: Map<string, number>, p: Palette): string {
  const out: string[] = [];
  for (const f of figs) {
    out.push(`${p.node(f.progName)}  ${f.probe}`);
    const elf = elfInsns.get(f.progName);
    out.push(`  instructions: ${p.number(String(elf ?? '?'))} in the object, ${p.number(String(f.xlatedInsns))} after the kernel's rewrites, ` +
      `${p.number(String(f.jitedBytes))} bytes of machine code (JIT)`);
    const stack = f.stackDepth.length ? f.stackDepth.join(' + ') : '?';
    const time = f.timeUsec !== null ? `, checked in ${f.timeUsec} µs` : '';
    out.push(`  verifier: ${p.number(String(f.processed ?? '?'))} instructions processed (limit ${f.limit ?? '?'}), ` +
      `stack depth ${p.number(stack)} bytes of 512, peak ${f.peakStates ?? '?'} states${time}`);
  }
  return out.join('\n') + '\n';
}
