// `-l 'struct NAME'` (union, enum): a kernel type from BTF, by name; with -v its definition, in the
// layout bpftrace prints (a tab before each member).

import { Btf, type StructType, type TypeId } from '../common/kernel/btf';
import type { ListOutput } from './list';

export function printTypes(search: string, verbose: boolean, o: ListOutput): void {
  const [, kind, name] = /^\s*(struct|union|enum)\s+(\S+)\s*$/.exec(search) ?? [];
  const btf = Btf.vmlinux();
  if (!kind || !btf) return;
  const t = kind === 'struct' ? btf.findStruct(name) : kind === 'union' ? btf.findUnion(name) : btf.findEnum(name);
  if (!t) return;
  if (!verbose) return o.write(`${kind} ${name}\n`);
  const lines = [`${kind} ${name} {`];
  if (t.kind === 'enum' || t.kind === 'enum64') {
    for (const v of t.values) lines.push(`\t${v.name} = ${v.value},`);
  } else if (t.kind === 'struct' || t.kind === 'union') {
    members(btf, t.members, '\t', lines);
  }
  lines.push('};');
  o.write(`${lines.join('\n')}\n`);
}

/** Member lines at `indent`; an anonymous struct or union member is written out in place. */
function members(btf: Btf, list: StructType['members'], indent: string, lines: string[]): void {
  for (const m of list) {
    const t = btf.resolve(m.type);
    if (!m.name && (t.kind === 'struct' || t.kind === 'union')) {
      lines.push(`${indent}${t.kind} {`);
      members(btf, t.members, `${indent}\t`, lines);
      lines.push(`${indent}};`);
    } else {
      lines.push(`${indent}${declare(btf, m.type, m.name)}${m.bitSize ? `:${m.bitSize}` : ''};`);
    }
  }
}

/** A C declaration of `name` with type `id`: arrays and function pointers wrap the name. */
function declare(btf: Btf, id: TypeId, name: string): string {
  const t = btf.type(id);
  if (t.kind === 'array') return declare(btf, t.elem, `${name}[${t.length}]`);
  if (t.kind === 'ptr') {
    const target = btf.type(t.target);
    if (target.kind === 'func_proto') return `${btf.typeName(target.ret)} (*${name})(${target.params.map((p) => btf.typeName(p.type)).join(', ')})`;
  }
  const type = btf.typeName(id);
  return name ? `${type}${type.endsWith('*') ? '' : ' '}${name}` : type;
}
