// What `-l` lists, by what follows it. bpftrace 0.2x: a program (-e, or a file that exists) lists
// the probes that program would attach to; several searches separated by commas; `struct NAME` (union, enum) lists a type, with -v its definition
// from BTF. The type listing is 0.17's as well; the rest leaves the 0.17 dialect as it was.

import { existsSync, readFileSync } from 'node:fs';
import type { AttachPoint } from './ast';
import { decodeSource } from '../common/bytes';
import type { Dialect } from '../common/dialect';
import { probeType } from './probes';
import { listProbes, printProbeList, type ListOutput } from '../runtime/list';
import { printTypes } from '../runtime/list-types';

export interface ListRequest {
  /** The word after -l, if any. */
  search?: string;
  /** -e's program. */
  program?: string;
  verbose: boolean;
  pid?: number;
  dialect?: Dialect;
}

const TYPE = /^\s*(struct|union|enum)\s+\S/;

export function listCommand(r: ListRequest, o: ListOutput): void {
  const now = r.dialect === '0.26';
  let program = r.program;
  if (program === undefined && r.search !== undefined && existsSync(r.search) && now) program = decodeSource(readFileSync(r.search));
  if (program !== undefined) return listProgram(program, r, o);
  const search = r.search;
  if (now && search !== undefined && search.includes('.') && !/[:*]/.test(search)) {
    o.warn(`WARNING: It appears that '${search}' is a filename but the file does not exist. Treating '${search}' as a search pattern.\n`);
  }
  const searches = now && search !== undefined ? search.split(',').map((s) => s.trim().replace(/\s+/g, ' ')) : [search];
  for (const s of searches) {
    if (s !== undefined && TYPE.test(s)) printTypes(s, r.verbose, o);
    else printProbeList(s === '*' ? undefined : s, r.verbose, o, r.pid, r.dialect);
  }
}

/** The probes a program attaches to, each attach point listed as its own search. */
function listProgram(source: string, r: ListRequest, o: ListOutput): void {
  const { parse } = require('../grammar') as typeof import('../grammar');
  const program = parse(source, 'stdin');
  const seen = new Set<string>();
  for (const probe of program.probes) {
    for (const ap of probe.attachPoints) {
      const type = probeType(ap.provider);
      // Probes user space runs itself (BEGIN, END, self, test, bench) attach to nothing.
      if (!type || type.runOnce) continue;
      const lines: string[] = [];
      for (const p of matches(ap, type.name, r, o)) {
        if (seen.has(p.name)) continue;
        seen.add(p.name);
        lines.push(p.name, ...(p.details ?? p.describe?.() ?? []));
      }
      if (lines.length) o.write(`${lines.join('\n')}\n`);
    }
  }
}

/** The listed probes an attach point names; a timed or counted one (interval:s:1) by its event (interval:s:). */
function matches(ap: AttachPoint, type: string, r: ListRequest, o: ListOutput) {
  for (const pattern of [[type, ...ap.parts].join(':'), `${type}:${ap.parts[0] ?? ''}:`]) {
    const { probes, warnings } = listProbes(pattern, r.verbose, r.pid, r.dialect);
    for (const w of warnings) o.warn(`WARNING: ${w}\n`);
    if (probes.length) return probes;
  }
  return [];
}
