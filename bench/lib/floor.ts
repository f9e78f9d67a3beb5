// The hand-written floor (bench/floor/): floor.bpf.c built with clang into the scratch directory,
// and floor.c, a small libbpf loader, with the C compiler. The loader is run as a third tool beside
// bpfscript and bpftrace: it loads one named program, attaches it, and waits for SIGINT.

import { execFileSync } from '../../test/child';
import { join } from 'node:path';
import { ROOT } from './tools';
import { SCRATCH } from './run';
import type { Tool } from './tools';

const DIR = join(ROOT, 'bench', 'floor');
/** clang-14 is what CI installs (.ci/run); a plain clang does as well. */
const CLANGS = ['clang-14', 'clang'];

let built: { loader: string; object: string } | { missing: string } | undefined;

function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v "$0"`, cmd], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function build(): { loader: string; object: string } | { missing: string } {
  const clang = CLANGS.find(which);
  if (!clang) return { missing: `no clang on PATH (${CLANGS.join(', ')}): the floor rows were skipped` };
  const object = join(SCRATCH, 'floor.bpf.o');
  const loader = join(SCRATCH, 'floor');
  try {
    // The multiarch directory holds asm/types.h, which linux/bpf.h includes.
    const multiarch = execFileSync('gcc', ['-print-multiarch'], { encoding: 'utf8' }).trim();
    execFileSync(clang, ['-O2', '-g', '-target', 'bpf', `-I/usr/include/${multiarch}`, '-c', join(DIR, 'floor.bpf.c'), '-o', object]);
    execFileSync('cc', ['-O2', join(DIR, 'floor.c'), '-o', loader, '-lbpf']);
  } catch (e) {
    return { missing: `building the floor programs failed (libbpf-dev installed?): ${(e as Error).message.split('\n')[0]}` };
  }
  return { loader, object };
}

/** The floor loader as a tool, with the arguments that pick `program`; or why there is none. */
export function floorTool(program: string): { tool: Tool; args: string[] } | { missing: string } {
  built ??= build();
  if ('missing' in built) return built;
  return { tool: { name: 'floor', argv: [built.loader], env: { ...process.env } }, args: [built.object, program] };
}
