import { readFileSync } from 'node:fs';
import { listTracepoints, tracefsRoot } from '../../src/semantic/tracefs';
import type { TracepointAttach } from '../../src/probes/tracepoint.attach';
import type { Attacher, Listed } from './types';

/** The argument lines `-lv` shows: the format's fields without the common_ header, as declared. */
function fieldLines(category: string, name: string): string[] {
  const root = tracefsRoot();
  if (!root) return [];
  let text: string;
  try {
    text = readFileSync(`${root}/events/${category}/${name}/format`, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*field:(.+?);/.exec(line);
    if (m && !/\bcommon_\w+$/.test(m[1].replace(/\[\d*\]$/, ''))) out.push(`    ${m[1].trim()}`);
  }
  return out;
}

export const tracepoint: Attacher<TracepointAttach> = {
  provider: 'tracepoint',
  attach(prog, probe) {
    // libbpf reads the event's id from tracefs: mounted here if a cached compile skipped that.
    tracefsRoot();
    return [prog.attachTracepoint(probe.attach.category, probe.attach.name)];
  },
  list(q) {
    return listTracepoints().map((t): Listed => {
      const [c, n] = t.split(':');
      return { name: `tracepoint:${t}`, details: q.verbose ? fieldLines(c, n) : undefined };
    });
  },
};
