// offsetof(struct X, a.b): the byte offset of a member (nested through `.`) from the start of a
// struct or union, a constant taken from kernel BTF or the script's own C definitions. bpftrace
// added it in 0.18 (0.17 has no offsetof); nested member paths follow newer bpftrace.
// Not a call in the grammar (its first argument is a type), so the semantic pass and codegen call
// offsetofConstant directly and treat the result as a u64 constant, like sizeof.

import type { Offsetof } from '../ast';
import { findNamedType, kernelBtf } from '../semantic/kernel-types';
import { didYouMean } from '../suggest';
import type { CheckContext } from './types';

type Report = CheckContext['error'];

/** The member's offset in bytes, or undefined after reporting why there is none. */
export function offsetofConstant(e: Offsetof, error: Report): number | undefined {
  const btf = kernelBtf();
  if (!btf) {
    error(`offsetof(${e.type.name}, …) needs type information`, e.type, 'this kernel exposes no BTF (/sys/kernel/btf/vmlinux); define the struct in the script');
    return undefined;
  }
  const id = e.type.pointerDepth === 0 ? findNamedType(btf, e.type.name) : null;
  let st = id === null ? null : btf.resolve(id);
  if (!st || (st.kind !== 'struct' && st.kind !== 'union')) {
    const what = e.type.pointerDepth ? `${e.type.name} ${'*'.repeat(e.type.pointerDepth)}` : e.type.name;
    error(`offsetof() 1st argument is not of a record type: ${what}`, e.type, st ? 'offsetof measures members of a struct or union' : 'kernel types come from /sys/kernel/btf/vmlinux; check the spelling');
    return undefined;
  }
  let bits = 0;
  let path = e.type.name;
  for (const name of e.fields) {
    const m = st.kind === 'struct' || st.kind === 'union' ? btf.member(st, name) : null;
    if (!m) {
      const near = st.kind === 'struct' || st.kind === 'union' ? didYouMean(name, btf.memberNames(st)) : undefined;
      error(`'${path}' has no member named '${name}'`, e, near ?? (st.kind === 'struct' || st.kind === 'union' ? undefined : `'${path}' is not a struct or union`));
      return undefined;
    }
    bits += m.bitOffset;
    path = `${path}.${name}`;
    st = btf.resolve(m.type);
  }
  return Math.floor(bits / 8);
}
