// Whether this kernel refuses to load a program type at all: the teaching views then say so
// instead of showing a load failure.

import type { CompiledProgram } from '../compiled';

/**
 * Why this kernel will not load the programs at all (fentry refused), from the attachers' own
 * checks, so the stages above still print; kprobe programs load without kprobes, so only a probe
 * type whose programs cannot even be loaded counts.
 */
export async function refusedHere(gen: CompiledProgram): Promise<string | null> {
  const { attachers } = await import('../../runtime/attach');
  for (const pm of gen.meta.probes) {
    const attacher = attachers.get(pm.provider);
    if (!attacher?.refusedAtLoad) continue;
    const no = attacher.unavailable?.(pm);
    if (no) return `skipped: ${pm.progName} (${pm.name}) cannot be loaded here: ${no.missing}\nHINT: ${no.instead}\n`;
  }
  return null;
}
