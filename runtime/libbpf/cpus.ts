// CPU sets. Per-CPU map values are laid out for every *possible* CPU, while perf events can only be
// opened on *online* ones; the two differ on machines with hot-pluggable CPUs.

import { readFileSync } from 'node:fs';
import { ffi } from './ffi';
import { checkRet } from './errors';

let possible: number | undefined;

/** libbpf_num_possible_cpus(): the count per-CPU map values are sized with. */
export function numPossibleCpus(): number {
  return (possible ??= checkRet(ffi().libbpf.libbpf_num_possible_cpus(), 'libbpf_num_possible_cpus'));
}

/** Parses the kernel's cpu list format: "0-3,5,7-8". */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`bad cpu list ${JSON.stringify(text)}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let c = lo; c <= hi; c++) cpus.push(c);
  }
  return cpus;
}

export function onlineCpus(path = '/sys/devices/system/cpu/online'): number[] {
  return parseCpuList(readFileSync(path, 'utf8'));
}
