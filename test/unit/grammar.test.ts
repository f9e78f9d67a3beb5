// The front end on valid programs: the AST each construct produces, and the exact span of its nodes.
// Shapes are compared as compact s-expressions; spans as the source text they cover plus their
// line/column numbers.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from '../../grammar';
import { createParser } from '../../grammar/parser';
import type * as A from '../../src/ast';

/** A compact, unambiguous rendering of the AST's shape (no spans). */
function sx(n: A.Node | A.Node[] | null): string {
  if (n === null) return '_';
  if (Array.isArray(n)) return n.map(sx).join(' ');
  switch (n.kind) {
    case 'Program': return [...n.includes, ...n.probes].map(sx).join('\n');
    case 'Include': return `(include ${n.system ? '<' : '"'}${n.path})`;
    case 'Probe': {
      const aps = n.attachPoints.map((a) => [a.provider, ...a.parts].join('|')).join(', ');
      return `(probe [${aps}] ${n.predicate ? `/${sx(n.predicate)}/ ` : ''}${sx(n.body)})`;
    }
    case 'AttachPoint': return n.raw;
    case 'Block': return `{${n.stmts.map(sx).join('; ')}}`;
    case 'ExprStmt': return sx(n.expr);
    case 'AssignMap': return `(${n.op ?? ''}= ${sx(n.map)} ${sx(n.value)})`;
    case 'AssignVar': return `(${n.op ?? ''}= ${sx(n.variable)} ${sx(n.value)})`;
    case 'If': return `(if ${sx(n.cond)} ${sx(n.then)} ${sx(n.else)})`;
    case 'While': return `(while ${sx(n.cond)} ${sx(n.body)})`;
    case 'Unroll': return `(unroll ${sx(n.count)} ${sx(n.body)})`;
    case 'Jump': return n.jump;
    case 'IntLit': return n.value.toString();
    case 'StrLit': return JSON.stringify(n.value);
    case 'Builtin': return n.name;
    case 'Variable': return `$${n.name}`;
    case 'MapRef': return `@${n.name}${n.keys.length ? `[${n.keys.map(sx).join(', ')}]` : ''}`;
    case 'Positional': return n.count ? '$#' : `$${n.index}`;
    case 'Call': return `(${n.name}${n.args.map((a) => ' ' + sx(a)).join('')})`;
    case 'Binary': return `(${n.op} ${sx(n.left)} ${sx(n.right)})`;
    case 'Unary': return `(${n.op} ${sx(n.operand)})`;
    case 'Ternary': return `(? ${sx(n.cond)} ${n.elvis ? '<elvis>' : sx(n.then)} ${sx(n.else)})`;
    case 'FieldAccess': return `(${n.arrow ? '->' : '.'} ${sx(n.target)} ${n.field})`;
    case 'Index': return `(idx ${sx(n.target)} ${sx(n.index)})`;
    case 'Cast': return `(cast ${sx(n.type)} ${sx(n.operand)})`;
    case 'TypeRef': return `<${n.name}${'*'.repeat(n.pointerDepth)}${n.arrayLength !== null ? `[${n.arrayLength}]` : ''}>`;
    case 'Tuple': return `(tuple ${sx(n.elems)})`;
    case 'TupleAccess': return `(.${n.index} ${sx(n.target)})`;
    case 'Sizeof': return `(sizeof ${n.type ? sx(n.type) : sx(n.operand)})`;
    case 'BoolLit': return String(n.value);
    case 'Offsetof': return `(offsetof ${sx(n.type)} ${n.fields.join('.')})`;
    case 'BlockExpr': return `(block {${n.stmts.map(sx).join('; ')}} ${sx(n.value)})`;
    case 'For': return `(for ${sx(n.variable)} ${sx(n.iterable)} ${sx(n.body)})`;
    case 'Range': return `(.. ${sx(n.start)} ${sx(n.end)})`;
    case 'Let': return `(let ${sx(n.variable)}${n.type ? ' ' + sx(n.type) : ''}${n.value ? ' ' + sx(n.value) : ''})`;
    default: return `<${n.kind}>`;
  }
}

const p = (src: string) => parse(src, 'stdin');
/** The statements of the first probe. */
const stmts = (src: string) => p(src).probes[0]!.body.stmts;
/** The value of `@x = <expr>` written as the first statement of a BEGIN probe. */
const value = (expr: string) => {
  const s = stmts(`BEGIN { @x = ${expr}; }`)[0]!;
  if (s.kind !== 'AssignMap') throw new Error(`not an assignment: ${s.kind}`);
  return s.value;
};
const shape = (expr: string) => sx(value(expr));

/** Asserts the span covers exactly `text` and starts/ends at the given line:col positions. */
function span(src: string, s: A.Span, text: string, pos?: string) {
  assert.is(src.slice(s.start, s.end), text);
  assert.is(s.file, 'stdin');
  if (pos) assert.is(`${s.line}:${s.col}-${s.endLine}:${s.endCol}`, pos);
}

// ---- attach points -------------------------------------------------------------------------

test('attach points: provider and parts', () => {
  const cases: [string, string, string[]][] = [
    ['BEGIN', 'BEGIN', []],
    ['END', 'END', []],
    ['tracepoint:syscalls:sys_enter_openat', 'tracepoint', ['syscalls', 'sys_enter_openat']],
    ['tracepoint:syscalls:sys_enter_*', 'tracepoint', ['syscalls', 'sys_enter_*']],
    ['interval:s:1', 'interval', ['s', '1']],
    ['interval:ms:100', 'interval', ['ms', '100']],
    ['uprobe:/bin/bash:readline', 'uprobe', ['/bin/bash', 'readline']],
    ['uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc', 'uprobe', ['/lib/x86_64-linux-gnu/libc.so.6', 'malloc']],
    ['kprobe:vfs_*', 'kprobe', ['vfs_*']],
    ['kprobe:tcp_sendmsg+0x10', 'kprobe', ['tcp_sendmsg+0x10']],
    ['t:sched:sched_switch', 't', ['sched', 'sched_switch']],
    ['uprobe:$1:main', 'uprobe', ['$1', 'main']],
    ['uprobe:"/opt/my app/bin":main', 'uprobe', ['/opt/my app/bin', 'main']],
    ['usdt:/usr/bin/node:node:gc__start', 'usdt', ['/usr/bin/node', 'node', 'gc__start']],
  ];
  for (const [raw, provider, parts] of cases) {
    const src = `${raw} { }`;
    const ap = p(src).probes[0]!.attachPoints[0]!;
    assert.is(ap.raw, raw);
    assert.is(ap.provider, provider);
    assert.equal(ap.parts, parts);
    span(src, ap.span, raw, `1:1-1:${raw.length}`);
  }
});

test('attach point lists: commas, spaces and newlines', () => {
  const src = 'kprobe:vfs_read,kprobe:vfs_write ,\n  tracepoint:syscalls:sys_enter_openat { }';
  const aps = p(src).probes[0]!.attachPoints;
  assert.equal(aps.map((a) => a.raw), ['kprobe:vfs_read', 'kprobe:vfs_write', 'tracepoint:syscalls:sys_enter_openat']);
  span(src, aps[1]!.span, 'kprobe:vfs_write', '1:17-1:32');
  span(src, aps[2]!.span, 'tracepoint:syscalls:sys_enter_openat', '2:3-2:38');
});

test('several probes, with a span each', () => {
  const src = 'BEGIN { @a = 1; }\nEND { @b = 2 }';
  const prog = p(src);
  assert.is(sx(prog), '(probe [BEGIN] {(= @a 1)})\n(probe [END] {(= @b 2)})');
  span(src, prog.probes[0]!.span, 'BEGIN { @a = 1; }', '1:1-1:17');
  span(src, prog.probes[1]!.span, 'END { @b = 2 }', '2:1-2:14');
  span(src, prog.probes[1]!.body.span, '{ @b = 2 }', '2:5-2:14');
  span(src, prog.span, src, '1:1-2:14');
});

// ---- predicates and action blocks ----------------------------------------------------------

test('predicate between slashes', () => {
  const src = 'tracepoint:syscalls:sys_enter_openat /pid == 42/ { exit(); }';
  const probe = p(src).probes[0]!;
  assert.is(sx(probe.predicate), '(== pid 42)');
  span(src, probe.predicate!.span, 'pid == 42', '1:39-1:47');
});

test('predicate right after a colon-less attach point, and division inside a predicate', () => {
  assert.is(sx(p('BEGIN/1/{ exit(); }')), '(probe [BEGIN] /1/ {(exit)})');
  assert.is(sx(p('BEGIN /pid / 2 == 1/ { }')), '(probe [BEGIN] /(== (/ pid 2) 1)/ {})');
  assert.is(sx(p('BEGIN /1/ /* why */ { }')), '(probe [BEGIN] /1/ {})');
});

test("action block in '< >': a '>' after ';' closes it", () => {
  const src = 'kprobe:tcp_sendmsg < @[comm] = count(); >';
  const probe = p(src).probes[0]!;
  assert.is(sx(probe), '(probe [kprobe|tcp_sendmsg] {(= @[comm] (count))})');
  span(src, probe.body.span, '< @[comm] = count(); >', '1:20-1:41');
  span(src, probe.span, src, '1:1-1:41');
});

test("'< >' blocks: comparisons inside, '>' after '}' or right after '<', more probes after", () => {
  assert.is(sx(p('kprobe:f < @a = $x > 2; >')), '(probe [kprobe|f] {(= @a (> $x 2))})');
  assert.is(sx(p('kprobe:f < if (1) { @a = 1; } > END < >')), '(probe [kprobe|f] {(if 1 {(= @a 1)} _)})\n(probe [END] {})');
  assert.is(sx(p('BEGIN /1/ < exit(); >')), '(probe [BEGIN] /1/ {(exit)})');
});

test('empty blocks, optional last semicolon', () => {
  assert.is(sx(p('BEGIN {}')), '(probe [BEGIN] {})');
  assert.is(sx(p('BEGIN { exit() }')), '(probe [BEGIN] {(exit)})');
  assert.is(sx(p('BEGIN { @a = 1; @b = 2 }')), '(probe [BEGIN] {(= @a 1); (= @b 2)})');
});

// ---- statements ----------------------------------------------------------------------------

test('map assignments: keyed, keyless, anonymous', () => {
  const src = 'BEGIN { @map[k1, k2] = 1; @m = 2; @ = 3; @[comm] = count(); }';
  const ss = stmts(src);
  assert.is(sx(ss), '(= @map[k1, k2] 1) (= @m 2) (= @ 3) (= @[comm] (count))');
  const first = ss[0] as A.AssignMap;
  assert.is(first.kind, 'AssignMap');
  assert.is(first.op, null);
  assert.is(first.map.name, 'map');
  span(src, first.span, '@map[k1, k2] = 1', '1:9-1:24');
  span(src, first.map.span, '@map[k1, k2]', '1:9-1:20');
  span(src, first.map.keys[1]!.span, 'k2', '1:18-1:19');
  const anon = ss[2] as A.AssignMap;
  assert.is(anon.map.name, '');
  span(src, anon.map.span, '@', '1:35-1:35');
});

test('variable assignment and compound assignments', () => {
  const src = 'BEGIN { $x = 1; $x += 2; @y -= 1; @z[1] *= 3; $a /= 2; $a %= 2; $a &= 1; $a |= 1; $a ^= 1; $a <<= 1; $a >>= 1; }';
  const ss = stmts(src);
  assert.is(sx(ss), '(= $x 1) (+= $x 2) (-= @y 1) (*= @z[1] 3) (/= $a 2) (%= $a 2) (&= $a 1) (|= $a 1) (^= $a 1) (<<= $a 1) (>>= $a 1)');
  const v = ss[1] as A.AssignVar;
  assert.is(v.kind, 'AssignVar');
  assert.is(v.op, '+');
  assert.is(v.variable.name, 'x');
  span(src, v.span, '$x += 2', '1:17-1:23');
  assert.is((ss[9] as A.AssignVar).op, '<<');
});

test('expression statements: calls with any arity', () => {
  const src = 'BEGIN { printf("%d %s\\n", pid, comm); exit(); print(@x, 10, 2); }';
  const ss = stmts(src);
  assert.is(sx(ss), '(printf "%d %s\\n" pid comm) (exit) (print @x 10 2)');
  const call = (ss[0] as A.ExprStmt).expr as A.Call;
  assert.is(call.kind, 'Call');
  span(src, call.span, 'printf("%d %s\\n", pid, comm)', '1:9-1:36');
  span(src, call.nameSpan, 'printf', '1:9-1:14');
  span(src, (ss[1] as A.ExprStmt).span, 'exit()', '1:39-1:44');
});

test('if / else if / else', () => {
  const src = 'BEGIN { if ($x > 1) { @a = 1; } else if ($x) { @b = 2 } else { @c = 3 } }';
  const s = stmts(src)[0] as A.If;
  assert.is(sx(s), '(if (> $x 1) {(= @a 1)} {(if $x {(= @b 2)} {(= @c 3)})})');
  span(src, s.span, src.slice(8, -2), '1:9-1:71');
  span(src, s.then.span, '{ @a = 1; }', '1:21-1:31');
  // `else if` nests as an If inside a one-statement Block that spans the inner if.
  span(src, s.else!.span, 'if ($x) { @b = 2 } else { @c = 3 }', '1:38-1:71');
  assert.is(sx(stmts('BEGIN { if (1) { } }')), '(if 1 {} _)');
});

test('while, unroll, break, continue, return; block statements need no semicolon', () => {
  const src = 'BEGIN { while ($i < 10) { $i++; if ($i == 5) { break } } unroll(3) { continue; } return }';
  const ss = stmts(src);
  assert.is(sx(ss), '(while (< $i 10) {(++post $i); (if (== $i 5) {break} _)}) (unroll 3 {continue}) return');
  span(src, ss[0]!.span, 'while ($i < 10) { $i++; if ($i == 5) { break } }', '1:9-1:56');
  span(src, ss[1]!.span, 'unroll(3) { continue; }', '1:58-1:80');
  span(src, ss[2]!.span, 'return', '1:82-1:87');
  assert.is((ss[2] as A.Jump).jump, 'return');
});

test('increment and decrement, prefix and postfix, on maps and variables', () => {
  const src = 'BEGIN { @x++; ++@x; $y--; --$y; @z[1]++; }';
  const ss = stmts(src);
  assert.is(sx(ss), '(++post @x) (++pre @x) (--post $y) (--pre $y) (++post @z[1])');
  span(src, ss[0]!.span, '@x++', '1:9-1:12');
  span(src, ss[1]!.span, '++@x', '1:15-1:18');
});

test('#include lines and a shebang', () => {
  const src = '#!/usr/bin/env bpftrace\n#include <linux/sched.h>\n#include "my.h"\nBEGIN { }';
  const prog = p(src);
  assert.is(sx(prog), '(include <linux/sched.h)\n(include "my.h)\n(probe [BEGIN] {})');
  span(src, prog.includes[0]!.span, '#include <linux/sched.h>', '2:1-2:24');
  assert.is(prog.includes[1]!.system, false);
});

test('comments anywhere', () => {
  const src = '// leading\nBEGIN /* a */ { // b\n @x = /* c */ 1; /* d */ }\n// trailing';
  assert.is(sx(p(src)), '(probe [BEGIN] {(= @x 1)})');
  span(src, stmts(src)[0]!.span, '@x = /* c */ 1', '3:2-3:15');
});

// ---- expressions ---------------------------------------------------------------------------

test('integer literals: decimal, hex, octal, separators, exponent, 64-bit', () => {
  assert.is((value('42') as A.IntLit).value, 42n);
  assert.is((value('0x1F') as A.IntLit).value, 31n);
  assert.is((value('017') as A.IntLit).value, 15n);
  assert.is((value('0') as A.IntLit).value, 0n);
  assert.is((value('1_000_000') as A.IntLit).value, 1000000n);
  assert.is((value('1e6') as A.IntLit).value, 1000000n);
  assert.is((value('0xffffffffffffffff') as A.IntLit).value, 18446744073709551615n);
  const src = 'BEGIN { @x = 0x10; }';
  span(src, (stmts(src)[0] as A.AssignMap).value.span, '0x10', '1:14-1:17');
});

test('string literals: escapes decoded, span covers the quotes', () => {
  assert.is((value('"a\\tb\\nc"') as A.StrLit).value, 'a\tb\nc');
  assert.is((value('"q\\"b\\\\s"') as A.StrLit).value, 'q"b\\s');
  assert.is((value('"\\x41\\x4a\\101\\0end"') as A.StrLit).value, 'AJA\0end');
  assert.is((value('""') as A.StrLit).value, '');
  const src = 'BEGIN { @x = "a\\n"; }';
  span(src, (stmts(src)[0] as A.AssignMap).value.span, '"a\\n"', '1:14-1:18');
});

test('builtins, variables, positionals', () => {
  assert.is(shape('pid + tid + comm + args + arg0 + retval + nsecs'), '(+ (+ (+ (+ (+ (+ pid tid) comm) args) arg0) retval) nsecs)');
  const b = value('pid') as A.Builtin;
  assert.is(b.kind, 'Builtin');
  assert.is(b.name, 'pid');
  const v = value('$abc') as A.Variable;
  assert.is(v.name, 'abc');
  const p1 = value('$1') as A.Positional;
  assert.equal([p1.kind, p1.index, p1.count], ['Positional', 1, false]);
  const pn = value('$#') as A.Positional;
  assert.equal([pn.index, pn.count], [0, true]);
  const src = 'BEGIN { @x = $12; }';
  span(src, (stmts(src)[0] as A.AssignMap).value.span, '$12', '1:14-1:16');
});

test('field access with -> and .', () => {
  const src = 'BEGIN { @x = args->filename; @y = args.a.b; @z = $t->if; }';
  const ss = stmts(src);
  assert.is(sx(ss), '(= @x (-> args filename)) (= @y (. (. args a) b)) (= @z (-> $t if))');
  const f = (ss[0] as A.AssignMap).value as A.FieldAccess;
  assert.is(f.arrow, true);
  span(src, f.span, 'args->filename', '1:14-1:27');
  span(src, f.fieldSpan, 'filename', '1:20-1:27');
  assert.is(((ss[1] as A.AssignMap).value as A.FieldAccess).arrow, false);
});

test('C precedence across all binary levels', () => {
  assert.is(shape('a || b && c | d ^ e & f == g < h << i + j * k'), '(|| a (&& b (| c (^ d (& e (== f (< g (<< h (+ i (* j k))))))))))');
  assert.is(shape('a * b + c << d < e == f & g ^ h | i && j || k'), '(|| (&& (| (^ (& (== (< (<< (+ (* a b) c) d) e) f) g) h) i) j) k)');
  assert.is(shape('1 + 2 * 3 - 4 / 2 % 3'), '(- (+ 1 (* 2 3)) (% (/ 4 2) 3))');
  assert.is(shape('a != b >= c'), '(!= a (>= b c))');
  assert.is(shape('a <= b > c'), '(> (<= a b) c)');
  assert.is(shape('a >> 1 - 1'), '(>> a (- 1 1))');
});

test('left associativity, parentheses, binary spans', () => {
  assert.is(shape('a - b - c'), '(- (- a b) c)');
  assert.is(shape('a / b / c'), '(/ (/ a b) c)');
  assert.is(shape('a - (b - c)'), '(- a (- b c))');
  const src = 'BEGIN { @x = 1 + 2 * 3; }';
  const sum = (stmts(src)[0] as A.AssignMap).value as A.Binary;
  span(src, sum.span, '1 + 2 * 3', '1:14-1:22');
  span(src, sum.right.span, '2 * 3', '1:18-1:22');
});

test('unary operators', () => {
  assert.is(shape('-a + !b * ~c'), '(+ (- a) (* (! b) (~ c)))');
  assert.is(shape('*$p + &$v'), '(+ (* $p) (& $v))');
  assert.is(shape('- -a'), '(- (- a))');
  assert.is(shape('!!a'), '(! (! a))');
  assert.is(shape('a-- - --b'), '(- (--post a) (--pre b))');
  const src = 'BEGIN { @x = -5; }';
  span(src, (stmts(src)[0] as A.AssignMap).value.span, '-5', '1:14-1:15');
});

test('ternary, nested to the right, and a ?: b', () => {
  assert.is(shape('a ? b : c'), '(? a b c)');
  assert.is(shape('a ? b : c ? d : e'), '(? a b (? c d e))');
  assert.is(shape('a > b ? a + 1 : b || c'), '(? (> a b) (+ a 1) (|| b c))');
  const elvis = value('a ?: b') as A.Ternary;
  assert.is(elvis.elvis, true);
  assert.is(elvis.then, elvis.cond);
  const src = 'BEGIN { @x = $a ? 1 : 2; }';
  span(src, (stmts(src)[0] as A.AssignMap).value.span, '$a ? 1 : 2', '1:14-1:23');
});

test('casts', () => {
  assert.is(shape('(uint32)$x + 1'), '(+ (cast <uint32> $x) 1)');
  assert.is(shape('(struct task_struct *)curtask'), '(cast <struct task_struct*> curtask)');
  assert.is(shape('(int8[8])$buf'), '(cast <int8[8]> $buf)');
  assert.is(shape('(unsigned long)$x'), '(cast <unsigned long> $x)');
  assert.is(shape('*(uint8 **)&$x'), '(* (cast <uint8**> (& $x)))');
  assert.is(shape('(pid)'), 'pid');
  const src = 'BEGIN { @x = (struct sock *)arg0; }';
  const c = (stmts(src)[0] as A.AssignMap).value as A.Cast;
  span(src, c.span, '(struct sock *)arg0', '1:14-1:32');
  span(src, c.type.span, 'struct sock *', '1:15-1:27');
});

test('tuples and .N access', () => {
  assert.is(shape('(1, "two")'), '(tuple 1 "two")');
  assert.is(shape('(a, (b, c)).1.0'), '(.0 (.1 (tuple a (tuple b c))))');
  const src = 'BEGIN { @x = $t.12; }';
  const t = (stmts(src)[0] as A.AssignMap).value as A.TupleAccess;
  assert.is(t.index, 12);
  span(src, t.span, '$t.12', '1:14-1:18');
  span(src, t.indexSpan, '12', '1:17-1:18');
  const src2 = 'BEGIN { @x = (1, 2); }';
  span(src2, (stmts(src2)[0] as A.AssignMap).value.span, '(1, 2)', '1:14-1:19');
});

test('array index and map keys', () => {
  assert.is(shape('$a[1][$i + 1]'), '(idx (idx $a 1) (+ $i 1))');
  assert.is(shape('@m[1, "a"][2]'), '(idx @m[1, "a"] 2)');
  assert.is(shape('args->argv[0]'), '(idx (-> args argv) 0)');
  const src = 'BEGIN { @x = $a[3]; }';
  span(src, (stmts(src)[0] as A.AssignMap).value.span, '$a[3]', '1:14-1:18');
});

test('sizeof a type or an expression', () => {
  assert.is(shape('sizeof(uint32)'), '(sizeof <uint32>)');
  assert.is(shape('sizeof(struct task_struct)'), '(sizeof <struct task_struct>)');
  assert.is(shape('sizeof($x) * 2'), '(* (sizeof $x) 2)');
  const src = 'BEGIN { @x = sizeof(int64); }';
  span(src, (stmts(src)[0] as A.AssignMap).value.span, 'sizeof(int64)', '1:14-1:26');
});

test('multi-line spans', () => {
  const src = 'BEGIN {\n  @x = 1 +\n    2;\n}';
  const s = stmts(src)[0]!;
  span(src, s.span, '@x = 1 +\n    2', '2:3-3:5');
  span(src, p(src).probes[0]!.body.span, '{\n  @x = 1 +\n    2;\n}', '1:7-4:1');
});

test('a realistic script', () => {
  const src = `#!/usr/bin/env bpftrace
#include <linux/sched.h>
// count opens per process, print every second
tracepoint:syscalls:sys_enter_openat,
tracepoint:syscalls:sys_enter_open
/comm != "bpftrace"/
{
  @opens[comm, pid] = count();
  $name = str(args->filename);
  if (strncmp($name, "/proc", 5) == 0) { @proc++; }
}

interval:s:1 {
  print(@opens); clear(@opens);
}

END { printf("%d proc opens\\n", @proc); }
`;
  const prog = p(src);
  assert.is(prog.probes.length, 3);
  assert.is(prog.probes[0]!.attachPoints.length, 2);
  assert.is(sx(prog.probes[0]!.predicate), '(!= comm "bpftrace")');
  assert.is(sx(prog.probes[0]!.body.stmts[2]!), '(if (== (strncmp $name "/proc" 5) 0) {(++post @proc)} _)');
  span(src, prog.probes[1]!.span, 'interval:s:1 {\n  print(@opens); clear(@opens);\n}', '13:1-15:1');
});

// ---- the rest of the language: loops, declarations, macros, C definitions --------------------

test('for over a map and over a range, with or without parentheses', () => {
  const src = 'BEGIN { for ($kv : @m) { print($kv.0); } for $i : 0..$n { @x += $i; } }';
  const [a, b] = stmts(src) as [A.For, A.For];
  assert.is(sx(a), '(for $kv @m {(print (.0 $kv))})');
  assert.is(sx(b), '(for $i (.. 0 $n) {(+= @x $i)})');
  span(src, a.span, 'for ($kv : @m) { print($kv.0); }', '1:9-1:40');
  span(src, a.variable.span, '$kv');
  span(src, b.iterable.span, '0..$n', '1:51-1:55');
  // Range ends are unary expressions, as in bpftrace.
  assert.is(sx(stmts('BEGIN { for ($j : (uint64)0..(uint64)$d) { } }')[0]!), '(for $j (.. (cast <uint64> 0) (cast <uint64> $d)) {})');
  assert.is(sx(stmts('BEGIN { for ($c : -1..ncpus) { break; } }')[0]!), '(for $c (.. (- 1) ncpus) {break})');
});

test('let: declarations with and without a value or a type', () => {
  const src = 'BEGIN { let $a; let $b = 1; let $c : uint32 = 2; let $s : string[8]; }';
  const got = stmts(src) as A.Let[];
  assert.is(got.map(sx).join(' '), '(let $a) (let $b 1) (let $c <uint32> 2) (let $s <string[8]>)');
  span(src, got[0]!.span, 'let $a', '1:9-1:14');
  span(src, got[2]!.span, 'let $c : uint32 = 2', '1:29-1:47');
});

test('if and while take a condition without parentheses too', () => {
  assert.is(sx(stmts('BEGIN { if $x { @a = 1 } else { @a = 2 } }')[0]!), '(if $x {(= @a 1)} {(= @a 2)})');
  assert.is(sx(stmts('BEGIN { if sysname { } }')[0]!), '(if sysname {} _)');
  assert.is(sx(stmts('BEGIN { while $i < 3 { $i++ } }')[0]!), '(while (< $i 3) {(++post $i)})');
});

test('true, false, offsetof, duration and C suffixes', () => {
  assert.is(shape('true'), 'true');
  assert.is(shape('!false'), '(! false)');
  assert.is(shape('offsetof(struct task_struct, se.vruntime)'), '(offsetof <struct task_struct> se.vruntime)');
  assert.is(shape('offsetof(my_t, x)'), '(offsetof <my_t> x)');
  const cases: [string, bigint][] = [['5ns', 5n], ['5us', 5_000n], ['5ms', 5_000_000n], ['1s', 1_000_000_000n], ['2m', 120_000_000_000n],
    ['1h', 3_600_000_000_000n], ['1d', 86_400_000_000_000n], ['1_0s', 10_000_000_000n], ['10UL', 10n], ['7u', 7n], ['0x10LL', 16n]];
  for (const [text, v] of cases) {
    const lit = value(text) as A.IntLit;
    assert.is(lit.value, v, text);
    assert.is(lit.raw, text);
  }
  const src = 'BEGIN { @x = offsetof(struct s, a); }';
  span(src, (stmts(src)[0] as A.AssignMap).value.span, 'offsetof(struct s, a)', '1:14-1:34');
});

test('block expressions: the last expression without a semicolon is the value', () => {
  const src = 'BEGIN { $a = { let $b = 1; $b + 1 }; @x = m({ printf("hi") }); }';
  const [a, x] = stmts(src) as [A.AssignVar, A.AssignMap];
  assert.is(sx(a.value), '(block {(let $b 1)} (+ $b 1))');
  assert.is(sx(x.value), '(m (block {} (printf "hi")))');
  span(src, a.value.span, '{ let $b = 1; $b + 1 }', '1:14-1:35');
  // As a statement of its own a block needs no ';' and may end in a statement.
  assert.is(stmts('BEGIN { { @a = 1; } @b = 2; }').map(sx).join('; '), '(block {(= @a 1)} _); (= @b 2)');
});

test('macro definitions and calls', () => {
  const src = 'macro add($a, b, @m) { $a += b; @m[1] = $a; $a }\nmacro one { 1 }\nmacro two() { 2; }\nBEGIN { add($x, 1, @y); @z = one + add!(1, 2, @w); }';
  const prog = p(src);
  const [add, one, two] = prog.macros;
  assert.is(add!.name, 'add');
  assert.is(add!.params.map((q) => q.sigil + q.name).join(' '), '$a b @m');
  assert.is(sx(add!.body), '{(+= $a b); (= @m[1] $a)}');
  assert.is(sx(add!.value), '$a');
  span(src, add!.span, 'macro add($a, b, @m) { $a += b; @m[1] = $a; $a }', '1:1-1:48');
  span(src, add!.nameSpan, 'add');
  span(src, add!.params[2]!.span, '@m');
  assert.is(sx(one!.value), '1');
  assert.is(two!.value, null);
  assert.is(sx(two!.body), '{2}');
  const call = ((prog.probes[0]!.body.stmts[1] as A.AssignMap).value as A.Binary).right as A.Call;
  assert.is(call.bang, true);
  assert.is(sx(call), '(add 1 2 @w)');
});

test('fn definitions (bpftrace 0.26) and return with a value', () => {
  const src = 'fn add($a: int64, $b: struct task_struct *): uint32 { return $a + 1; }\nfn none(): void { return; }\nBEGIN { return; }';
  const prog = p(src);
  const [add, none] = prog.functions;
  assert.is(add!.name, 'add');
  assert.is(add!.params.map((q) => `$${q.variable.name}:${q.type.name}${'*'.repeat(q.type.pointerDepth)}`).join(' '), '$a:int64 $b:struct task_struct*');
  assert.is(add!.returnType.name, 'uint32');
  span(src, add!.nameSpan, 'add');
  span(src, add!.params[1]!.span, '$b: struct task_struct *');
  const ret = add!.body.stmts[0] as A.Jump;
  assert.is(sx(ret.value!), '(+ $a 1)');
  span(src, ret.span, 'return $a + 1');
  assert.is((none!.body.stmts[0] as A.Jump).value ?? null, null);
  // Inside a probe `fn` is an ordinary name.
  assert.is(p('BEGIN { $fn = 1; fn(); }').probes[0]!.body.stmts.length, 2);
});

test('map declarations, config and import', () => {
  const src = 'config = {\n  missing_probes = warn;\n  max_map_keys = 2\n}\nimport "lib/helpers.bt";\nlet @a = lruhash(4096);\nlet @b = percpuhash(10);\nBEGIN { }';
  const prog = p(src);
  assert.is(prog.config!.entries.map((e) => `${e.key}=${sx(e.value)}`).join(' '), 'missing_probes=warn max_map_keys=2');
  span(src, prog.config!.span, 'config = {\n  missing_probes = warn;\n  max_map_keys = 2\n}', '1:1-4:1');
  span(src, prog.config!.entries[1]!.span, 'max_map_keys = 2', '3:3-3:18');
  assert.is(prog.imports[0]!.path, 'lib/helpers.bt');
  span(src, prog.imports[0]!.span, 'import "lib/helpers.bt";', '5:1-5:24');
  assert.is(prog.mapDecls.map((m) => `${m.map.name}:${m.mapType}:${m.maxEntries}`).join(' '), 'a:lruhash:4096 b:percpuhash:10');
  span(src, prog.mapDecls[0]!.span, 'let @a = lruhash(4096);', '6:1-6:23');
  assert.is(prog.probes.length, 1);
});

test('C preprocessor lines and struct, union and enum definitions', () => {
  const src = [
    '#ifndef BPFTRACE_HAVE_BTF',
    '#include <linux/sched.h>',
    '#define AF_INET 2 /* IPv4 */',
    '#define LONG(x) \\',
    '  ((x) + 1)',
    'struct cfs_rq {',
    '  struct load_weight load;',
    '  unsigned int nr_running, *p[2][3];',
    '  u64 flags : 3;',
    '  union { int a; char b[4]; };',
    '  struct { int c; } inner;',
    '};',
    'union u { long l; };',
    'enum color { RED, GREEN = 2 + 1, BLUE, }',
    '#endif',
    'BEGIN { }',
  ].join('\n');
  const prog = p(src);
  assert.equal(prog.preprocessor.map((x) => x.text), ['#ifndef BPFTRACE_HAVE_BTF', '#define AF_INET 2 /* IPv4 */', '#define LONG(x) \\\n  ((x) + 1)', '#endif']);
  assert.is(prog.includes[0]!.path, 'linux/sched.h');
  const [s, u, e] = prog.cDefinitions;
  assert.is(`${s!.tag} ${s!.name}`, 'struct cfs_rq');
  const fields = s!.fields.map((f) => `${f.inline ? `{${f.inline.tag} ${f.inline.fields.map((g) => g.name).join(',')}}` : f.type.name}|${'*'.repeat(f.pointerDepth)}${f.name}${f.arrayLengths.map((n) => `[${n}]`).join('')}${f.bitWidth !== null ? `:${f.bitWidth}` : ''}`);
  assert.equal(fields, ['struct load_weight|load', 'unsigned int|nr_running', 'unsigned int|*p[2][3]', 'u64|flags:3', '{union a,b}|', '{struct c}|inner']);
  span(src, s!.span, src.slice(src.indexOf('struct cfs_rq'), src.indexOf('\n};') + 2), '6:1-12:1');
  span(src, s!.fields[2]!.span, '*p[2][3]', '8:28-8:35');
  assert.is(`${u!.tag} ${u!.name} ${u!.fields[0]!.type.name}`, 'union u long');
  assert.is(e!.enumerators.map((x) => `${x.name}${x.value ? '=' + sx(x.value) : ''}`).join(' '), 'RED GREEN=(+ 2 1) BLUE');
  span(src, e!.enumerators[1]!.span, 'GREEN = 2 + 1', '14:19-14:31');
});

test('top-level words are declarations only where one may begin, attach points elsewhere', () => {
  // `let`, `macro` and friends inside a probe are ordinary statements and names.
  assert.is(sx(stmts('BEGIN { let $x = config + import; }')[0]!), '(let $x (+ config import))');
  assert.is(sx(p('kprobe:struct_foo { }').probes[0]!), '(probe [kprobe|struct_foo] {})');
  assert.is(sx(stmts('BEGIN { @x = args->for + $y.let; }')[0]!), '(= @x (+ (-> args for) (. $y let)))');
});

test("the grammar passes chevrotain's own validations", () => {
  createParser(true);
});

test('parsing the same one-liner again gives the same AST (the parser instance is reused)', () => {
  const one = 'tracepoint:syscalls:sys_enter_openat /pid != 1/ { @[comm] = count(); printf("%s\\n", str(args->filename)); }';
  const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
  const first = json(p(one));
  for (let i = 0; i < 5; i++) assert.is(json(p(one)), first);
});

test.run();
