// The typed view: the AST annotated with each expression's inferred type, then every map with its
// key and value types and the kind of BPF map it becomes.

import type { Expr, Node } from '../ast';
import { mapLayout } from '../codegen/maps';
import type { Analysis } from '../semantic/checked-program';
import { typeName } from '../type-name';
import type { Palette } from './colour';
import { renderTree } from './tree';

// BPF map type numbers from the kernel UAPI (enum bpf_map_type), for the ones bpfscript creates.
const MAP_TYPE_NAMES: Record<number, string> = {
  1: 'BPF_MAP_TYPE_HASH',
  2: 'BPF_MAP_TYPE_ARRAY',
  5: 'BPF_MAP_TYPE_PERCPU_HASH',
  6: 'BPF_MAP_TYPE_PERCPU_ARRAY',
  9: 'BPF_MAP_TYPE_LRU_HASH',
  10: 'BPF_MAP_TYPE_LRU_PERCPU_HASH',
  27: 'BPF_MAP_TYPE_RINGBUF',
};

export function mapTypeName(n: number): string {
  return MAP_TYPE_NAMES[n] ?? `map type ${n}`;
}

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
