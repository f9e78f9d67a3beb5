// Compile time of generated scripts of 100, 1,000 and 5,000 lines (10-line probes over shared maps,
// with variables, arithmetic, if/else, aggregations and printf), to an ELF file without loading.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, fmt, ratio } from '../lib/stats';
import { timedRun, SCRATCH } from '../lib/run';
import { bpfscript, bpftrace } from '../lib/tools';
import type { BenchConfig, Section } from '../lib/report';

export function generateScript(lines: number): string {
  const out: string[] = [];
  for (let k = 0; out.length < lines; k++) {
    out.push(
      `tracepoint:raw_syscalls:sys_enter /pid == ${k + 100000}/ {`,
      `  $a = args->id + ${k};`,
      `  $b = $a * 2;`,
      `  if ($b > ${k % 400}) {`,
      `    @c[comm] = count();`,
      `  } else {`,
      `    @s[pid] = sum($a);`,
      `  }`,
      `  printf("%d %d\\n", $a, $b);`,
      `}`,
    );
  }
  return out.slice(0, lines).join('\n') + '\n';
}

export async function compile(cfg: BenchConfig): Promise<Section> {
  const sizes = [100, 1000, 5000];
  const tools = [bpfscript(), bpftrace()];
  const elf = join(SCRATCH, 'compiled.o');
  const med: number[][] = [];
  for (const size of sizes) {
    const file = join(SCRATCH, `gen-${size}.bt`);
    writeFileSync(file, generateScript(size));
    const args = [['--no-cache', '--emit-elf', elf, file], ['--emit-elf', elf, file]];
    const times = tools.map(() => [] as number[]);
    const reps = size >= 5000 ? Math.max(1, Math.ceil(cfg.reps / 2)) : cfg.reps;
    for (let r = 0; r < reps; r++) {
      for (let k = 0; k < tools.length; k++) {
        const i = (k + r) % tools.length;
        const res = timedRun(tools[i], args[i]);
        if (res.status !== 0) throw new Error(`${tools[i].name} failed on ${size} lines: ${res.stderr.slice(0, 2000)}`);
        times[i].push(res.wallMs);
      }
    }
    med.push(times.map(median));
  }
  const rows = sizes.map((s, j) => [String(s), fmt(med[j][0]), fmt(med[j][1]), fmt(ratio(med[j][0], med[j][1]), 2)]);
  const growth = (i: number) => `${fmt(ratio(med[1][i], med[0][i]), 2)}× for 10× lines, ${fmt(ratio(med[2][i], med[1][i]), 2)}× for 5× lines`;
  const [b1000] = med[1];
  return {
    title: 'Compile time of generated scripts',
    method: `\`--emit-elf\` of generated scripts (bpfscript with --no-cache), wall time including process start, median of ${cfg.reps} interleaved runs (fewer for 5,000 lines). Growth: bpfscript ${growth(0)}; bpftrace ${growth(1)}.`,
    columns: ['lines', 'bpfscript ms', 'bpftrace ms', 'ratio'],
    rows,
    targets: [
      { target: '1,000 lines < 1 s', value: `${fmt(b1000)} ms`, met: b1000 < 1000 },
      { target: 'growth near linear (5,000 / 1,000 lines ≤ 6×)', value: fmt(ratio(med[2][0], med[1][0]), 2), met: med[2][0] / med[1][0] <= 6 },
    ],
  };
}
