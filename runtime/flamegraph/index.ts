// --flamegraph FILE.svg: at exit the stack-keyed maps are drawn as one interactive SVG flame graph
// (folded.ts → layout.ts → svg.ts). With several such maps each becomes a tower under its name.

import { closeSync, openSync, writeFileSync } from 'node:fs';
import { BpfscriptError } from '../../common/diagnostics';
import { errnoWords } from '../../common/errno-words';
import type { MapData } from '../../src/functions';
import { foldMaps, isStackKeyed } from './folded';
import { layoutFlame } from './layout';
import { renderSvg } from './svg';

export { FoldedSink } from './sink';

export interface FlamegraphOptions {
  title?: string;
  /** A WARNING line for stderr (nothing under --no-warnings). */
  warn?: (line: string) => void;
}

/** The SVG text for `maps`; maps not keyed by a stack are not part of it. */
export function flamegraphSvg(maps: readonly MapData[], opts: FlamegraphOptions = {}): string {
  const warn = opts.warn ?? (() => {});
  const stackMaps = maps.filter(isStackKeyed);
  if (stackMaps.length === 0) warn('WARNING: --flamegraph: no map is keyed by kstack or ustack; the flame graph is empty');
  const stacks = foldMaps(stackMaps, (m) => warn(`WARNING: --flamegraph: ${m.name} holds values that are not numbers; left out of the flame graph`));
  return renderSvg(layoutFlame(stacks), { title: opts.title });
}

/**
 * Creates (or truncates) the file before tracing starts, as -o does: a path that cannot be written
 * is refused at once, not after a long trace whose graph would then be lost.
 */
export function openFlamegraph(file: string): void {
  try {
    closeSync(openSync(file, 'w'));
  } catch (e) {
    throw new BpfscriptError({ severity: 'ERROR', message: `cannot write the flame graph file ${file}: ${errnoWords(e as NodeJS.ErrnoException)}`, hint: 'check that its directory exists and is writable' });
  }
}

/** Writes the flame graph of `maps` to `file`; a failure is an Error saying why in strerror's words. */
export function writeFlamegraph(file: string, maps: readonly MapData[], opts: FlamegraphOptions = {}): void {
  const svg = flamegraphSvg(maps, opts);
  try {
    writeFileSync(file, svg);
  } catch (e) {
    throw new Error(errnoWords(e as NodeJS.ErrnoException));
  }
}

/** "Flame graph: tools/x.bt", or the program itself for -e (cut to a line's width). */
export function flamegraphTitle(sources?: ReadonlyMap<string, string>): string {
  const [file, text] = sources?.entries().next().value ?? [];
  if (file === undefined) return 'Flame graph';
  if (file !== 'stdin') return `Flame graph: ${file}`;
  const program = String(text).replace(/\s+/g, ' ').trim();
  return `Flame graph: ${program.length > 90 ? `${program.slice(0, 87)}...` : program}`;
}
