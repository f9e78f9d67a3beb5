// How the bytes of a struct or array copied by value are laid out, as plain data taken from BTF at
// compile time: the runtime prints such values from this alone, without the script's types.

export type BlobLayout =
  /** bool: an element of `(bool[N])x` (bpftrace 0.24+), printed as true or false. */
  | { kind: 'int'; bytes: 1 | 2 | 4 | 8; signed: boolean; bitShift?: number; bitWidth?: number; bool?: true }
  /** A char array: text up to the first NUL, as bpftrace prints char members. */
  | { kind: 'chars'; length: number }
  /** btf: the element's type id, so indexing keeps pointers typed (compile time only). */
  | { kind: 'array'; elem: BlobLayout; elemSize: number; length: number; btf?: number }
  /** btf: the struct's type id, for `.member` on a copy (compile time only). */
  | { kind: 'struct'; fields: BlobField[]; btf?: number };

/** Alignment of a copied struct or array, as C lays it out: that of its widest integer. */
export function blobAlign(l: BlobLayout): number {
  switch (l.kind) {
    case 'int':
      return l.bytes;
    case 'chars':
      return 1;
    case 'array':
      return blobAlign(l.elem);
    case 'struct':
      return Math.max(1, ...l.fields.map((f) => blobAlign(f.layout)));
  }
}

export interface BlobField {
  name: string;
  offset: number;
  layout: BlobLayout;
}
