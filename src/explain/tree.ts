// The AST as an indented tree, optionally annotated (the typed view adds each expression's type).
// Generic over node shapes: any property holding a node or a list of nodes is a child, any scalar
// property is shown on the node's line, so new AST node kinds print without changes here.

import type { Node, Span } from '../ast';
import type { Palette } from './colour';
import { decodeSource } from '../../common/bytes';

type AnyNode = Node & Record<string, unknown>;

const HIDDEN = new Set(['kind', 'span', 'nameSpan', 'fieldSpan', 'indexSpan']);

function isNode(v: unknown): v is AnyNode {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string' && 'span' in v;
}

function scalar(key: string, v: unknown): string | null {
  if (v === null || v === undefined || v === false) return null;
  if (typeof v === 'string') return key === 'name' || key === 'raw' || key === 'op' || key === 'jump' ? v : `${key}=${JSON.stringify(v)}`;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return `${key}=${v}`;
  if (typeof v === 'boolean') return key;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return `${key}=[${v.join(', ')}]`;
  return null;
}

/** What a node is, in the words a learner reads: "MapRef @x", "Variable $d", "StrLit \"hi\"". */
function label(n: AnyNode): string {
  switch (n.kind) {
    case 'MapRef':
      return `@${n.name as string}`;
    case 'Variable':
      return `$${n.name as string}`;
    case 'StrLit':
      return JSON.stringify(decodeSource(Buffer.from(n.value, 'latin1')));
    case 'IntLit':
      // The value; the spelling too when it differs (0x1f, 1_000, 5s).
      return n.raw !== undefined && n.raw !== String(n.value) ? `${String(n.value)} (${n.raw as string})` : String(n.value);
    case 'FieldAccess':
      return `${n.arrow ? '->' : '.'}${n.field as string}`;
    default: {
      const parts: string[] = [];
      for (const [k, v] of Object.entries(n)) {
        if (HIDDEN.has(k) || isNode(v) || (Array.isArray(v) && v.some(isNode))) continue;
        if (n.kind === 'AttachPoint' && (k === 'provider' || k === 'parts')) continue;
        if (n.kind === 'Call' && k === 'args') continue;
        const s = scalar(k, v);
        if (s !== null) parts.push(s);
      }
      return parts.join(' ');
    }
  }
}

export type Annotate = (n: Node) => string | undefined;

export function renderTree(root: Node, p: Palette, annotate: Annotate = () => undefined): string {
  const lines: string[] = [];
  const at = (s: Span) => p.dim(`${s.line}:${s.col}`);
  const visit = (n: AnyNode, prefix: string, childPrefix: string, role: string | null) => {
    const l = label(n);
    const note = annotate(n);
    lines.push(
      `${prefix}${role ? p.dim(`${role}: `) : ''}${p.node(n.kind)}${l ? ` ${l}` : ''}${note ? ` ${p.type(`: ${note}`)}` : ''}  ${at(n.span)}`,
    );
    const kids: { role: string | null; node: AnyNode }[] = [];
    const props = Object.entries(n).filter(([k, v]) => !HIDDEN.has(k) && (isNode(v) || (Array.isArray(v) && v.some(isNode))));
    for (const [k, v] of props) {
      // Name the role only where a node has several kinds of children (left/right, cond/then).
      const role = props.length > 1 ? k : null;
      if (Array.isArray(v)) for (const c of v) kids.push({ role, node: c as AnyNode });
      else kids.push({ role, node: v as AnyNode });
    }
    kids.forEach((k, i) => {
      const last = i === kids.length - 1;
      visit(k.node, childPrefix + (last ? '└─ ' : '├─ '), childPrefix + (last ? '   ' : '│  '), k.role);
    });
  };
  visit(root as AnyNode, '', '', null);
  return lines.join('\n') + '\n';
}
