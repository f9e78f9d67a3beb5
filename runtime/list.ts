// -l [PATTERN] and -lv: the probes that could be attached, as bpftrace lists them. Each probe type's
// runtime module knows how to list its own probes (Attacher.list); this module picks the types a
// pattern names, filters by the pattern's globs, and prints the names sorted.

import { BpfscriptError } from '../common/diagnostics';
import { probeType } from '../src/probes';
import { hasWildcard, wildcardRegex } from '../common/wildcard';
import { attachers } from './attach';
import type { Listed } from './attach/types';

export interface ListOutput {
  write(text: string): void;
  warn(text: string): void;
}

/** What may appear in a probe pattern: the characters of attach points, globs and quotes. */
const PATTERN_CHAR = /[\w:*?.\/\-+[\]{},$#"'@ ]/;

/** Every listed probe matching `pattern` (all of them without one); with `pid`, as that process sees them. */
export function listProbes(pattern: string | undefined, verbose: boolean, pid?: number, dialect?: '0.17' | '0.26'): { probes: Listed[]; warnings: string[] } {
  const bad = [...(pattern ?? '')].find((ch) => !PATTERN_CHAR.test(ch));
  // bpftrace's wording: it reads the pattern as an attach point.
  if (bad !== undefined) throw new BpfscriptError({ severity: 'ERROR', message: `invalid character '${bad === '\n' ? '\\n' : bad}'`, hint: 'a probe pattern is an attach point with * and ? wildcards, e.g. bpfscript -l "tracepoint:syscalls:*open*"' });
  const warnings: string[] = [];
  const warn = (m: string) => {
    if (!warnings.includes(m)) warnings.push(m);
  };
  let providerPat = '*';
  let rest: string[] = [];
  let match: (name: string, key: string) => boolean;
  if (pattern === undefined || pattern === '') {
    match = () => true;
  } else if (pattern.includes(':')) {
    const parts = pattern.split(':');
    providerPat = parts[0];
    rest = parts.slice(1);
    const re = wildcardRegex(rest.join(':'));
    match = (_n, key) => re.test(key);
  } else {
    // A bare word searches every type, matched against the last parts of each name.
    const re = new RegExp(`(^|:)${wildcardRegex(pattern).source.slice(1)}`);
    match = (name) => re.test(name);
  }
  // An alias (t, u, U …) names the same type as its full name.
  const providerName = hasWildcard(providerPat) ? null : (probeType(providerPat)?.name ?? providerPat);
  const providerRe = wildcardRegex(providerPat);
  const out: Listed[] = [];
  for (const a of attachers.values()) {
    if (!a.list) continue;
    if (providerName ? a.provider !== providerName : !providerRe.test(a.provider) || a.listOnlyWhenNamed === true || (a.listOnlyWhenNamed === '0.17' && dialect !== '0.26')) continue;
    if (!providerName && pid !== undefined && !a.listedForProcess) continue;
    for (const l of a.list({ parts: rest, verbose, warn, pid, dialect })) {
      const key = l.key ?? l.name.slice(l.name.indexOf(':') + 1);
      if (match(l.name, key)) out.push(l);
    }
  }
  out.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  // A name shows once, as in bpftrace's set of matches: a usdt probe with several sites, a
  // library mapped under two names.
  return { probes: out.filter((l, i) => i === 0 || l.name !== out[i - 1].name), warnings };
}

export function printProbeList(pattern: string | undefined, verbose: boolean, o: ListOutput, pid?: number, dialect?: '0.17' | '0.26'): void {
  const { probes, warnings } = listProbes(pattern, verbose, pid, dialect);
  for (const w of warnings) o.warn(`WARNING: ${w}\n`);
  // Written in batches as they are described, so a long -lv shows its first lines at once.
  let lines: string[] = [];
  for (const p of probes) {
    lines.push(p.name);
    const details = p.details ?? p.describe?.();
    if (details) lines.push(...details);
    if (lines.length >= 256) {
      o.write(`${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (lines.length) o.write(`${lines.join('\n')}\n`);
}
