// CPU sets from sysfs. Per-CPU map values are laid out for every *possible* CPU, while perf events
// can only be opened on *online* ones; the two differ on machines with hot-pluggable CPUs.

import { perHost, readText } from './host';

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
  return parseCpuList(readText(path));
}

/** One past the highest possible CPU (what libbpf_num_possible_cpus() counts); 1 without sysfs. */
export function possibleCpuCount(): number {
  return perHost('cpus:possible', () => {
    try {
      return Math.max(1, ...parseCpuList(readText('/sys/devices/system/cpu/possible')).map((c) => c + 1));
    } catch {
      return 1;
    }
  });
}
