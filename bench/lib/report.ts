// One results table per measure, rendered as Markdown for bench/RESULTS.md and the terminal.

export interface Section {
  title: string;
  /** What was run and how it was summarised. */
  method: string;
  columns: string[];
  rows: string[][];
  /** Each target of the issue this section checks, with whether it is met. */
  targets: { target: string; value: string; met: boolean }[];
}

export interface BenchConfig {
  reps: number;
  quick: boolean;
}

export function renderSection(s: Section): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const out = [`## ${s.title}`, '', s.method, '', line(s.columns), line(s.columns.map(() => '---')), ...s.rows.map(line), ''];
  if (s.targets.length) {
    out.push('| target | measured | met |', '|---|---|---|');
    for (const t of s.targets) out.push(`| ${t.target} | ${t.value} | ${t.met ? 'yes' : '**no**'} |`);
    out.push('');
  }
  return out.join('\n');
}
