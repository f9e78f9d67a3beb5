// Compile time against the number of probes: 1,000 and 2,000 one-line probes
// (`tracepoint:syscalls:sys_enter_getppid { @[N] = count(); }`), to an ELF file without loading
// (the kernel attaches at most 64 programs to one tracepoint, so these could not all run).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, fmt, ratio } from '../lib/stats';
import { timedRun, SCRATCH } from '../lib/run';
import { bpfscript, bpftrace } from '../lib/tools';
import type { BenchConfig, Section } from '../lib/report';

export function generateProbes(n: number): string {
  const out: string[] = [];
  for (let i = 1; i <= n; i++) out.push(`tracepoint:syscalls:sys_enter_getppid { @[${i}] = count(); }`);
  return out.join('\n') + '\n';
}

export async function probes(cfg: BenchConfig): Promise<Section> {
  const sizes = [1000, 2000];
  const tools = [bpfscript(), bpftrace()];
  const elf = join(SCRATCH, 'probes.o');
  const wall: number[][] = [];
  const cpu: number[][] = [];
  const reps = Math.max(1, Math.ceil(cfg.reps / 2));
  for (const size of sizes) {
    const file = join(SCRATCH, `probes-${size}.bt`);
    writeFileSync(file, generateProbes(size));
    const args = [['--no-cache', '--emit-elf', elf, file], ['--emit-elf', elf, file]];
    const w = tools.map(() => [] as number[]);
    const c = tools.map(() => [] as number[]);
    for (let r = 0; r < reps; r++) {
      for (let k = 0; k < tools.length; k++) {
        const i = (k + r) % tools.length;
        const res = timedRun(tools[i], args[i]);
        if (res.status !== 0) throw new Error(`${tools[i].name} failed on ${size} probes: ${res.stderr.slice(0, 2000)}`);
        w[i].push(res.wallMs);
        c[i].push(res.cpuMs);
      }
    }
    wall.push(w.map(median));
    cpu.push(c.map(median));
  }
  const rows = sizes.map((s, j) => [String(s), fmt(wall[j][0]), fmt(cpu[j][0]), fmt(wall[j][1]), fmt(cpu[j][1]), fmt(ratio(wall[j][0], wall[j][1]), 2)]);
  const growth = (m: number[][], i: number) => ratio(m[1][i], m[0][i]);
  return {
    title: 'Compile time against the number of probes',
    method: `\`--emit-elf\` of 1,000 and 2,000 probes \`tracepoint:syscalls:sys_enter_getppid { @[N] = count(); }\` (bpfscript with --no-cache), wall time and CPU (user + system) including process start, median of ${reps} interleaved runs. Growth for 2× probes: bpfscript ${fmt(growth(wall, 0), 2)}× wall, ${fmt(growth(cpu, 0), 2)}× CPU; bpftrace ${fmt(growth(wall, 1), 2)}× wall, ${fmt(growth(cpu, 1), 2)}× CPU.`,
    columns: ['probes', 'bpfscript ms', 'bpfscript CPU ms', 'bpftrace ms', 'bpftrace CPU ms', 'ratio'],
    rows,
    targets: [{ target: 'growth ≤ 2.5× for 2× probes (CPU, which other load moves least)', value: `${fmt(growth(cpu, 0), 2)}×`, met: growth(cpu, 0) <= 2.5 }],
  };
}
