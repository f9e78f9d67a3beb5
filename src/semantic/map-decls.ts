// Map declarations, `let @m = lruhash(N);` (bpftrace 0.24+, stable in 0.25): the map's BPF map
// type and its number of entries, instead of a hash (or per-CPU hash for aggregations) of
// max_map_keys entries. As in bpftrace, hash and lruhash hold plain values and the per-CPU kinds
// hold aggregations; a declared map the script never uses is a warning.

import type { Diagnostic } from '../../common/diagnostics';
import { BpfscriptError } from '../../common/diagnostics';
import type { Analysis, MapDecl } from './checked-program';
import { MAX_MAP_KEYS } from './map-keys';

export type DeclaredMapType = MapDecl['type'];

const PER_CPU: Record<DeclaredMapType, boolean> = { hash: false, lruhash: false, percpuhash: true, percpulruhash: true };

/** Applies the declarations to the checked maps; throws on a map used against its declaration. */
export function applyMapDecls(analysis: Analysis): void {
  const decls = analysis.program.mapDecls ?? [];
  if (!decls.length) return;
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const d of decls) {
    const name = `@${d.map.name}`;
    if (!(d.mapType in PER_CPU)) continue; // the parser reported it
    if (seen.has(name)) {
      errors.push({ severity: 'ERROR', message: `${name} is declared twice`, span: d.span, hint: 'declare each map once' });
      continue;
    }
    seen.add(name);
    if (d.maxEntries > BigInt(MAX_MAP_KEYS)) {
      errors.push({ severity: 'ERROR', message: `${d.mapType}(${d.maxEntries}) is too large`, span: d.span, hint: `a map holds at most ${MAX_MAP_KEYS} entries` });
      continue;
    }
    const info = analysis.maps.get(name);
    if (!info) {
      warnings.push({ severity: 'WARNING', message: `Unused map: ${name}`, span: d.span });
      continue;
    }
    const type = d.mapType as DeclaredMapType;
    const wants = info.aggregate ? (PER_CPU[type] ? type : 'percpuhash') : PER_CPU[type] ? 'hash' : type;
    if (wants !== type) {
      errors.push({
        severity: 'ERROR',
        message: `Incompatible map types. Type from declaration: ${type}. Type from value/key type: ${info.aggregate ? 'percpuhash' : 'hash'}`,
        span: info.span,
        hint: info.aggregate ? `${info.aggregate.name}() keeps a value per CPU: declare ${name} as percpuhash or percpulruhash` : `a plain value is kept once: declare ${name} as hash or lruhash`,
      });
      continue;
    }
    info.decl = { type, maxEntries: Number(d.maxEntries) };
  }
  if (warnings.length) analysis.warnings = [...(analysis.warnings ?? []), ...warnings];
  if (errors.length) throw new BpfscriptError([...errors, ...warnings]);
}
