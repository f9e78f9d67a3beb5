// The typed view: the AST annotated with each expression's inferred type, then every map with its
// key and value types and the kind of BPF map it becomes.

import type { Expr, Node } from '../ast';
import { mapLayout } from '../codegen/maps';
import type { Analysis } from '../semantic/checked-program';
import { typeName } from '../type-name';
import type { Palette } from './colour';
import { renderTree } from './tree';
import { mapTypeName } from './map-types';

export { mapTypeName } from './map-types';

export function renderTyped(a: Analysis, p: Palette): string {
  const out: string[] = [];
  out.push(renderTree(a.program, p, (n: Node) => {
    const t = a.types.get(n as Expr);
    return t ? typeName(t) : undefined;
  }));
  out.push(p.heading('Programs'));
  for (const ap of a.probes) {
    const vars = [...ap.variables].map(([k, t]) => `$${k} ${p.type(typeName(t))}`).join(', ');
    // A tracepoint that never reads args is raw_tp/<event> by now (lower-raw-tracepoints.ts).
    out.push(`  ${p.node(ap.progName)}  ${ap.expanded.name}  ${p.dim(`section ${ap.expanded.section}`)}${vars ? `  variables: ${vars}` : ''}`);
  }
  out.push(p.heading('Maps'));
  if (a.maps.size === 0) out.push('  (none)');
  for (const m of [...a.maps.values()].sort((x, y) => (x.name < y.name ? -1 : 1))) {
    const { def, meta } = mapLayout(m, a.mapKeys);
    const key = m.keyType ? typeName(m.keyType) : 'none';
    out.push(
      `  ${p.node(m.name.padEnd(8))} key ${p.type(key)}  value ${p.type(typeName(m.valueType))}  ` +
      `${mapTypeName(def.type)} ${p.dim(`(${m.bpfName}: ${def.maxEntries} entries, key ${meta.keySize} B, value ${meta.valueSize} B${meta.perCpu ? ' per CPU' : ''})`)}`,
    );
  }
  return out.join('\n') + '\n';
}
