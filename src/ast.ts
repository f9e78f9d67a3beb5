// The AST: plain data, built by grammar/, read by every later pass. Nodes never hold behaviour or
// back-references, so a pass can annotate them through side tables (Map<Node, T>) without mutation.

// Span is declared with the diagnostics that point at it, so the runtime can name it without the AST.
import type { Span } from '../common/diagnostics';
export type { Span };

interface NodeBase {
  span: Span;
}

export interface Program extends NodeBase {
  kind: 'Program';
  /** `#include` lines, kept verbatim for the semantic pass (satisfied from BTF). */
  includes: Include[];
  probes: Probe[];
  /** Other C preprocessor lines (`#define`, `#ifndef` …), verbatim, in source order. */
  preprocessor: CPreprocessor[];
  /** Top-level C `struct`/`union`/`enum` definitions. */
  cDefinitions: CDefinition[];
  config: Config | null;
  imports: Import[];
  /** `let @m = hash(N);` */
  mapDecls: MapDecl[];
  macros: Macro[];
  /** `fn name($a: type): type { … }` (bpftrace 0.26 parses and compiles these, but has no call for them). */
  functions: Fn[];
}

/** A C preprocessor line other than `#include`, kept verbatim (continuation lines joined). */
export interface CPreprocessor extends NodeBase {
  kind: 'CPreprocessor';
  text: string;
}

/** `struct name { fields };`, `union …`, `enum name { A, B = 2 };` at the top level. */
export interface CDefinition extends NodeBase {
  kind: 'CDefinition';
  tag: 'struct' | 'union' | 'enum';
  /** "" for an anonymous nested struct or union. */
  name: string;
  fields: CField[];
  enumerators: CEnumerator[];
  /** `__attribute__((packed))`: members at byte offsets without padding, alignment 1. */
  packed?: true;
  /** `__attribute__((aligned(N)))`: the struct's alignment is at least N. */
  aligned?: number;
}

/**
 * One declarator of a struct or union member: `struct path *p[2]: 3`. `type` is the member's type
 * without the declarator's stars and dimensions; `inline` holds a struct/union/enum defined in place.
 */
export interface CField extends NodeBase {
  kind: 'CField';
  type: TypeRef;
  inline: CDefinition | null;
  /** "" for an anonymous nested struct or union member. */
  name: string;
  pointerDepth: number;
  arrayLengths: number[];
  bitWidth: number | null;
}

export interface CEnumerator extends NodeBase {
  kind: 'CEnumerator';
  name: string;
  value: Expr | null;
}

/** `config = { key = value; … }` */
export interface Config extends NodeBase {
  kind: 'Config';
  entries: ConfigEntry[];
}

export interface ConfigEntry extends NodeBase {
  kind: 'ConfigEntry';
  key: string;
  value: Expr;
}

/** `import "path";` */
export interface Import extends NodeBase {
  kind: 'Import';
  path: string;
}

/** `let @name = hash(N);` — `mapType` is one of hash, lruhash, percpuhash, percpulruhash. */
export interface MapDecl extends NodeBase {
  kind: 'MapDecl';
  map: MapRef;
  mapType: string;
  maxEntries: bigint;
}

/** One macro parameter: `$a` (a variable), `b` (an expression), `@m` (a map). */
export interface MacroParam extends NodeBase {
  kind: 'MacroParam';
  sigil: '$' | '' | '@';
  name: string;
}

/**
 * `macro name(params) { stmts; value }`: `value` is the trailing expression written without ';'
 * (the macro's result), or null.
 */
export interface Macro extends NodeBase {
  kind: 'Macro';
  name: string;
  nameSpan: Span;
  params: MacroParam[];
  body: Block;
  value: Expr | null;
  /** Part of bpfscript's standard library (src/stdlib): a user's macro of the same signature wins. */
  stdlib?: boolean;
}

export interface FnParam extends NodeBase {
  kind: 'FnParam';
  variable: Variable;
  type: TypeRef;
}

/** `fn name($a: int64, $b: string): int64 { stmts }` */
export interface Fn extends NodeBase {
  kind: 'Fn';
  name: string;
  nameSpan: Span;
  params: FnParam[];
  returnType: TypeRef;
  body: Block;
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
  /** `NAME=` before the attach point (bpftrace 0.25+; reserved for later use there too). */
  label?: string;
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
  | Jump
  | For
  | Let;

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
  /** `return e;` (in a user function). */
  value?: Expr | null;
}

/** `for ($kv : @map) { }` (iterable a MapRef) or `for ($i : a..b) { }` (iterable a Range). */
export interface For extends NodeBase {
  kind: 'For';
  variable: Variable;
  iterable: MapRef | Range;
  body: Block;
}

/** `a..b` in a for loop: start inclusive, end exclusive. */
export interface Range extends NodeBase {
  kind: 'Range';
  start: Expr;
  end: Expr;
}

/** `let $x;`, `let $x = e;`, `let $x : type = e;` */
export interface Let extends NodeBase {
  kind: 'Let';
  variable: Variable;
  type: TypeRef | null;
  value: Expr | null;
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
  | RecordLit
  | TupleAccess
  | Sizeof
  | BoolLit
  | Offsetof
  | BlockExpr;

/** `true` / `false` */
export interface BoolLit extends NodeBase {
  kind: 'BoolLit';
  value: boolean;
}

/** `offsetof(struct task_struct, se.vruntime)`: `fields` is the dotted member path. */
export interface Offsetof extends NodeBase {
  kind: 'Offsetof';
  type: TypeRef;
  fields: string[];
}

/**
 * `{ stmts; value }`: a block whose last statement is an expression without ';' (`value`). It is
 * null only for a block written as a statement of its own, which yields nothing.
 */
export interface BlockExpr extends NodeBase {
  kind: 'BlockExpr';
  stmts: Stmt[];
  value: Expr | null;
  /**
   * The expansion of this macro: its own variables are renamed apart from the caller's, so its
   * statements can join the enclosing block (src/semantic/macro-blocks.ts).
   */
  macro?: string;
}

export interface IntLit extends NodeBase {
  kind: 'IntLit';
  /** Exact value: literals may exceed 2^53. */
  value: bigint;
  /** The literal as written (`0x1f`, `1_000`, `5s`), for printing it back. */
  raw?: string;
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
  /** Written `name!(…)`: explicitly a macro call. */
  bang?: boolean;
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
  /** `N` in `int8[N]`, 0 for `int8[]` (a cast's: as many as the value holds), else null. */
  arrayLength: number | null;
}

/** `(type)operand` */
export interface Cast extends NodeBase {
  kind: 'Cast';
  type: TypeRef;
  operand: Expr;
}

/**
 * `(a, "b")`, `(a,)`, `()`: a parenthesized expression without a trailing comma is just that
 * expression.
 */
export interface Tuple extends NodeBase {
  kind: 'Tuple';
  elems: Expr[];
}

/** `(name = a, other = "b")` (bpftrace 0.25+): a tuple whose elements have names. */
export interface RecordLit extends NodeBase {
  kind: 'Record';
  fields: { name: string; nameSpan: Span; value: Expr }[];
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

export type Node =
  | Program | Include | Probe | AttachPoint | Block | Stmt | Expr | TypeRef
  | CPreprocessor | CDefinition | CField | CEnumerator | Config | ConfigEntry | Import | MapDecl | MacroParam | Macro | Fn | FnParam
  | Range;
