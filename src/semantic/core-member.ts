// Which kernel member reads can be relocated by libbpf at load (CO-RE) in an artifact, and the
// shape codegen describes them with: libbpf finds the member by name in the running kernel's
// struct (through anonymous members) and checks that its type is of the same kind (an integer, a
// pointer, an array of integers, a struct), so that kind is all the local description needs.

import type { Btf } from '../../common/kernel/btf';
import type { TypeId } from '../../common/kernel/btf-types';

export type CoreMember =
  | { kind: 'int'; bits: number }
  | { kind: 'ptr' }
  | { kind: 'array'; elemBits: number; count: number }
  | { kind: 'record'; name: string; union: boolean; bits: number };

/**
 * The shape of `field`, a member of the named struct `structId` (directly or through anonymous
 * structs and unions: libbpf matches the name through those on the target, so the local
 * description may put it directly in the struct at its offset), or null when it is not
 * relocatable this way (a bitfield, a member of a named union): such reads keep their build-time
 * offset, checked at load instead.
 */
export function coreMember(btf: Btf, structId: TypeId, field: string): CoreMember | null {
  const st = btf.resolve(structId);
  if (st.kind !== 'struct' || !st.name) return null;
  const m = btf.member(st, field);
  if (!m || m.bitSize || m.bitOffset % 8) return null;
  const t = btf.resolve(m.type);
  switch (t.kind) {
    case 'int':
      return { kind: 'int', bits: t.size * 8 };
    case 'ptr':
      return { kind: 'ptr' };
    case 'array': {
      const e = btf.resolve(t.elem);
      return e.kind === 'int' ? { kind: 'array', elemBits: e.size * 8, count: t.length } : null;
    }
    case 'struct':
    case 'union':
      return t.name ? { kind: 'record', name: t.name, union: t.kind === 'union', bits: t.size * 8 } : null;
    default:
      return null;
  }
}
