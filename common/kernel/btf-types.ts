// The BTF format's type records as plain data (include/uapi/linux/btf.h), shared by the reader
// (btf.ts) and the record decoder (btf-decode.ts).

export const BTF_MAGIC = 0xeb9f;

/** Kind numbers of the BTF format (include/uapi/linux/btf.h), indexed by their value. */
export const KINDS = [
  'void', 'int', 'ptr', 'array', 'struct', 'union', 'enum', 'fwd', 'typedef', 'volatile', 'const', 'restrict',
  'func', 'func_proto', 'var', 'datasec', 'float', 'decl_tag', 'type_tag', 'enum64',
] as const;
export type BtfKind = (typeof KINDS)[number];

/** A type id: an index into the type section (0 is void). Split BTF continues its base's ids. */
export type TypeId = number;

export interface BtfMember {
  /** '' for an anonymous struct or union member. */
  name: string;
  type: TypeId;
  /** Offset from the start of the enclosing struct, in bits. */
  bitOffset: number;
  /** Width of a bitfield in bits; 0 when the member is not a bitfield. */
  bitSize: number;
}

export interface BtfParam {
  /** '' when the prototype does not name it (and for the `...` of a variadic function). */
  name: string;
  type: TypeId;
}

export interface VoidType { kind: 'void'; id: 0; name: '' }
export interface IntBtfType {
  kind: 'int'; id: TypeId; name: string;
  /** Storage size in bytes. */
  size: number;
  /** Value bits; may be fewer than size * 8. */
  bits: number;
  /** Bit offset of the value inside its storage (0 in practice). */
  offset: number;
  signed: boolean; char: boolean; bool: boolean;
}
export interface PtrType { kind: 'ptr'; id: TypeId; name: ''; target: TypeId }
export interface ArrayType { kind: 'array'; id: TypeId; name: ''; elem: TypeId; index: TypeId; length: number }
export interface StructType { kind: 'struct' | 'union'; id: TypeId; name: string; size: number; members: BtfMember[] }
export interface EnumType {
  kind: 'enum' | 'enum64'; id: TypeId; name: string; size: number; signed: boolean;
  values: { name: string; value: bigint }[];
}
/** A declared but not defined struct or union (`struct foo;`). */
export interface FwdType { kind: 'fwd'; id: TypeId; name: string; union: boolean }
/** typedef, const, volatile, restrict and type_tag: another name or qualifier over `target`. */
export interface RefType { kind: 'typedef' | 'volatile' | 'const' | 'restrict' | 'type_tag'; id: TypeId; name: string; target: TypeId }
export interface FuncType { kind: 'func'; id: TypeId; name: string; proto: TypeId; linkage: 'static' | 'global' | 'extern' }
export interface FuncProtoType { kind: 'func_proto'; id: TypeId; name: ''; ret: TypeId; params: BtfParam[]; variadic: boolean }
export interface VarType { kind: 'var'; id: TypeId; name: string; type: TypeId; linkage: number }
export interface DatasecType { kind: 'datasec'; id: TypeId; name: string; size: number; vars: { type: TypeId; offset: number; size: number }[] }
export interface FloatType { kind: 'float'; id: TypeId; name: string; size: number }
export interface DeclTagType { kind: 'decl_tag'; id: TypeId; name: string; target: TypeId; componentIdx: number }

export type BtfType =
  | VoidType | IntBtfType | PtrType | ArrayType | StructType | EnumType | FwdType | RefType
  | FuncType | FuncProtoType | VarType | DatasecType | FloatType | DeclTagType;

/** A kernel function with its prototype resolved. */
export interface BtfFunction {
  name: string;
  /** Id of the FUNC record (what fentry's attach_btf_id names). */
  id: TypeId;
  ret: TypeId;
  params: BtfParam[];
  variadic: boolean;
}

/** Where a member lies in a struct, after looking through anonymous struct and union members. */
export interface MemberLocation {
  name: string;
  type: TypeId;
  bitOffset: number;
  bitSize: number;
}

export class BtfFormatError extends Error {}
