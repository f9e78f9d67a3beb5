// The AST: plain data, built by grammar/, read by every later pass. Nodes never hold behaviour or
// back-references, so a pass can annotate them through side tables (Map<Node, T>) without mutation.

export interface Span {
  /** File name as shown in diagnostics: the script path, or "stdin" for -e. */
  file: string;
  /** 0-based character offsets into the source, end exclusive. */
  start: number;
  end: number;
  /** 1-based line and column of the first character. */
  line: number;
  col: number;
  /** 1-based line and column of the last character (inclusive). */
  endLine: number;
  endCol: number;
}

interface NodeBase {
  span: Span;
}

export interface Program extends NodeBase {
  kind: 'Program';
  /** `#include` lines, kept verbatim for the semantic pass (satisfied from BTF). */
  includes: Include[];
  probes: Probe[];
}

export interface Include extends NodeBase {
  kind: 'Include';
  path: string;
  system: boolean;
}

export interface Probe extends NodeBase {
  kind: 'Probe';
  attachPoints: AttachPoint[];
  predicate: Expr | null;
  body: Block;
}

/**
 * One attach point as written. `provider` is the first colon-separated part as the user wrote it
 * (an alias such as `t` is resolved later by the probe registry), `parts` the rest, unsplit further:
 * `tracepoint:syscalls:sys_enter_openat` → provider "tracepoint", parts ["syscalls", "sys_enter_openat"];
 * `BEGIN` → provider "BEGIN", parts [].
 */
export interface AttachPoint extends NodeBase {
  kind: 'AttachPoint';
  raw: string;
  provider: string;
  parts: string[];
}

export interface Block extends NodeBase {
  kind: 'Block';
  stmts: Stmt[];
}

export type Stmt =
  | ExprStmt
  | AssignMap
  | AssignVar
  | If
  | While
  | Unroll
  | Jump;

export interface ExprStmt extends NodeBase {
  kind: 'ExprStmt';
  expr: Expr;
}

/** `@m[k] = e`, `@m = e`, and compound forms (`op` is "+" for `+=`, null for plain `=`). */
export interface AssignMap extends NodeBase {
  kind: 'AssignMap';
  map: MapRef;
  op: BinaryOp | null;
  value: Expr;
}

export interface AssignVar extends NodeBase {
  kind: 'AssignVar';
  variable: Variable;
  op: BinaryOp | null;
  value: Expr;
}

export interface If extends NodeBase {
  kind: 'If';
  cond: Expr;
  then: Block;
  /** `else if` chains nest as an If inside a one-statement Block. */
  else: Block | null;
}

export interface While extends NodeBase {
  kind: 'While';
  cond: Expr;
  body: Block;
}

export interface Unroll extends NodeBase {
  kind: 'Unroll';
  count: Expr;
  body: Block;
}

export interface Jump extends NodeBase {
  kind: 'Jump';
  jump: 'break' | 'continue' | 'return';
}

export type Expr =
  | IntLit
  | StrLit
  | Builtin
  | Variable
  | MapRef
  | Positional
  | Call
  | Binary
  | Unary
  | Ternary
  | FieldAccess
  | Index
  | Cast
  | Tuple
  | TupleAccess
  | Sizeof;

export interface IntLit extends NodeBase {
  kind: 'IntLit';
  /** Exact value: literals may exceed 2^53. */
  value: bigint;
}

export interface StrLit extends NodeBase {
  kind: 'StrLit';
  /** Escapes already decoded. */
  value: string;
}

/** A bare identifier: `pid`, `comm`, `args`, `arg0`, … — resolved by the builtin registry. */
export interface Builtin extends NodeBase {
  kind: 'Builtin';
  name: string;
}

/** `$name` */
export interface Variable extends NodeBase {
  kind: 'Variable';
  name: string;
}

/** `@name[keys]`; `name` is "" for the anonymous map `@`. `keys` is empty for `@name`. */
export interface MapRef extends NodeBase {
  kind: 'MapRef';
  name: string;
  keys: Expr[];
}

/** `$1`, `$2`, … (`index` ≥ 1) and `$#` (`index` 0, `count` true). */
export interface Positional extends NodeBase {
  kind: 'Positional';
  index: number;
  count: boolean;
}

export interface Call extends NodeBase {
  kind: 'Call';
  name: string;
  /** Span of the function name alone, for "unknown function" diagnostics. */
  nameSpan: Span;
  args: Expr[];
}

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%'
  | '<<' | '>>' | '&' | '|' | '^'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '&&' | '||';

export interface Binary extends NodeBase {
  kind: 'Binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
}

export type UnaryOp = '-' | '!' | '~' | '*' | '&' | '++pre' | '--pre' | '++post' | '--post';

export interface Unary extends NodeBase {
  kind: 'Unary';
  op: UnaryOp;
  operand: Expr;
}

export interface Ternary extends NodeBase {
  kind: 'Ternary';
  cond: Expr;
  then: Expr;
  else: Expr;
  /** `cond ?: else`: `then` is the very same node as `cond`, which must be evaluated only once. */
  elvis?: boolean;
}

/** `e.field` (arrow false) or `e->field` (arrow true). */
export interface FieldAccess extends NodeBase {
  kind: 'FieldAccess';
  target: Expr;
  field: string;
  arrow: boolean;
  fieldSpan: Span;
}

export interface Index extends NodeBase {
  kind: 'Index';
  target: Expr;
  index: Expr;
}

/**
 * A type as written in a cast or `sizeof`: `uint32`, `unsigned long`, `struct task_struct *`,
 * `int8[8]`. `name` joins the words with single spaces (`struct task_struct`); resolving it (BTF,
 * C definitions) is the semantic pass's job.
 */
export interface TypeRef extends NodeBase {
  kind: 'TypeRef';
  name: string;
  /** Number of `*` after the name. */
  pointerDepth: number;
  /** `N` in `int8[N]`, else null. */
  arrayLength: number | null;
}

/** `(type)operand` */
export interface Cast extends NodeBase {
  kind: 'Cast';
  type: TypeRef;
  operand: Expr;
}

/** `(a, "b")`: two or more elements (a single parenthesized expression is just that expression). */
export interface Tuple extends NodeBase {
  kind: 'Tuple';
  elems: Expr[];
}

/** `target.0` */
export interface TupleAccess extends NodeBase {
  kind: 'TupleAccess';
  target: Expr;
  index: number;
  indexSpan: Span;
}

/** `sizeof(type)` (type set) or `sizeof(expr)` (operand set). */
export interface Sizeof extends NodeBase {
  kind: 'Sizeof';
  type: TypeRef | null;
  operand: Expr | null;
}

export type Node = Program | Include | Probe | AttachPoint | Block | Stmt | Expr | TypeRef;
