// Wrong programs: each must be rejected with a BpfscriptError whose diagnostics say what was
// expected, in words, at the exact place. A row is [source, [[line:col-endLine:endCol, text
// under the span, message], ...]] with one entry per diagnostic, in order.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from '../../grammar';
import { BpfscriptError, renderAll } from '../../common/diagnostics';

type Expect = [pos: string, text: string, message: string];

const CATALOGUE: [string, Expect[]][] = [
  // statements and blocks
  ['BEGIN { @x = 1 @y = 2 }', [['1:16-1:17', '@y', "expected ';' or '}' after a statement"]]],
  ['BEGIN { break 1; }', [['1:15-1:15', '1', "expected ';' or '}' after a statement"]]],
  ['BEGIN { @a = 1;; }', [['1:16-1:16', ';', "unexpected ';'"]]],
  ['BEGIN { if (1) { }; }', [['1:19-1:19', ';', "unexpected ';'"]]],
  ['BEGIN {', [['1:7-1:7', '{', "unexpected end of input, expected a statement or '}'"]]],
  ['BEGIN { else { } }', [['1:9-1:12', 'else', "unexpected 'else', expected a statement or '}'"]]],
  ['BEGIN { 1 = 2; }', [['1:9-1:9', '1', 'only a map or a variable can be assigned to']]],
  ['BEGIN { if (1) { } else @x = 1; }', [['1:25-1:26', '@x', "unexpected '@x', expected 'if' or '{' after 'else'"]]],
  ['BEGIN { if (1) @x = 1; }', [
    ['1:16-1:17', '@x', "unexpected '@x', expected '{'"],
    ['1:24-1:24', '}', "unexpected end of input, expected a statement or '}'"],
  ]],
  ['BEGIN { unroll 5 { } }', [
    ['1:16-1:16', '5', "unexpected '5', expected '(' after 'unroll'"],
    ['1:18-1:18', '{', "unexpected '{', expected ')' after the count"],
  ]],
  // expressions
  ['BEGIN { @x = 1 +; }', [['1:17-1:17', ';', "unexpected ';', expected an expression"]]],
  ['BEGIN { printf("hi\\n" }', [['1:23-1:23', '}', "unexpected '}', expected ',' or ')' after a function argument"]]],
  ['BEGIN { printf("%d", 1,); }', [['1:24-1:24', ')', "unexpected ')', expected an expression"]]],
  ['BEGIN { @x = (1, 2; }', [['1:19-1:19', ';', "unexpected ';', expected ')'"]]],
  ['BEGIN { @x = a ? b; }', [['1:19-1:19', ';', "unexpected ';', expected ':' in the conditional expression"]]],
  ['BEGIN { @x = (uint32 1; }', [['1:22-1:22', '1', "unexpected '1', expected ')' to end the cast"]]],
  ['BEGIN { $x = (struct)y; }', [['1:21-1:21', ')', "unexpected ')', expected a type name after 'struct', 'union' or 'enum'"]]],
  ['BEGIN { @x = $t.; }', [['1:17-1:17', ';', "unexpected ';', expected a field name or a tuple index after '.'"]]],
  ['BEGIN { @x = a->; }', [['1:17-1:17', ';', "unexpected ';', expected a field name"]]],
  ['BEGIN { @x = sizeof(); }', [['1:21-1:21', ')', "unexpected ')', expected a type or an expression"]]],
  ['BEGIN { @x[] = 1 }', [['1:12-1:12', ']', "unexpected ']', expected a map key"]]],
  ['BEGIN { @x = @y[1; }', [['1:18-1:18', ';', "unexpected ';', expected ',' or ']' after a map key"]]],
  // probes, predicates, top level
  ['BEGIN { exit(); } }', [['1:19-1:19', '}', "unexpected '}', expected a probe"]]],
  ['{ exit(); }', [['1:1-1:1', '{', "unexpected '{', expected a probe"]]],
  ['BEGIN, { }', [['1:8-1:8', '{', "unexpected '{', expected an attach point after ','"]]],
  ['BEGIN /pid { exit(); }', [['1:12-1:12', '{', "unexpected '{', expected '/' to end the predicate"]]],
  ['BEGIN { @x = 1 } junk', [['1:18-1:21', 'junk', "unexpected end of input, expected '{' to start the probe's actions"]]],
  ['kprobe:f < @a = 1; }', [['1:20-1:20', '}', "unexpected '}', expected a statement or '>' to end the block"]]],
  ['kprobe:f < @a = 1 >', [['1:19-1:19', '>', "unexpected end of input, expected an expression (a '>' ends a '< >' block only after ';')"]]],
  ['#include linux/sched.h\nBEGIN {}', [['1:1-1:8', '#include', 'expected <file> or "file" after \'#include\'']]],
  // lexical errors
  ['BEGIN { ` }', [['1:9-1:9', '`', "invalid character '`'"]]],
  ['BEGIN { $ = 1 }', [['1:9-1:9', '$', "expected a variable name after '$'"]]],
  ['BEGIN { printf("\\q") }', [['1:17-1:18', '\\q', "invalid escape character '\\q'"]]],
  ['BEGIN { @x = "abc\n}', [['1:14-1:17', '"abc', 'unterminated string']]],
  ['BEGIN { $x = 08; }', [['1:14-1:15', '08', "invalid octal literal '08'"]]],
  ['BEGIN { $x = 12ab; }', [['1:14-1:17', '12ab', "invalid integer literal '12ab'"]]],
  ['BEGIN { $x = 99999999999999999999; }', [['1:14-1:33', '99999999999999999999', "integer literal '99999999999999999999' does not fit in 64 bits"]]],
  ['BEGIN { /* abc }', [
    ['1:7-1:7', '{', "unexpected end of input, expected a statement or '}'"],
    ['1:9-1:16', '/* abc }', 'unterminated comment'],
  ]],
  ['uprobe:"/bin/bash:readline { }', [
    ['1:1-1:30', 'uprobe:"/bin/bash:readline { }', "unexpected end of input, expected '{' to start the probe's actions"],
    ['1:8-1:30', '"/bin/bash:readline { }', 'unterminated string in attach point'],
  ]],
  // loops and declarations
  ['BEGIN { for ($i : 0..) { } }', [['1:22-1:22', ')', "unexpected ')', expected an expression"]]],
  ['BEGIN { for ($i in @m) { } }', [
    ['1:17-1:18', 'in', "unexpected 'in', expected ':' after the loop variable"],
    ['1:20-1:21', '@m', "unexpected '@m', expected ')' after the map or range"],
  ]],
  ['BEGIN { for ($i : @m[1]) { } }', [['1:19-1:23', '@m[1]', "expected a map or a range 'start..end' to iterate over"]]],
  ['BEGIN { for ($kv : @m { } }', [['1:23-1:23', '{', "unexpected '{', expected ')' after the map or range"]]],
  ['BEGIN { let $x : = 1; }', [['1:18-1:18', '=', "unexpected '=', expected a type"]]],
  ['BEGIN { let $x = ; }', [['1:18-1:18', ';', "unexpected ';', expected an expression"]]],
  ['BEGIN { $x = { $y = 1; }; }', [['1:14-1:24', '{ $y = 1; }', "a block used as a value must end with an expression and no ';'"]]],
  ['BEGIN { $x = offsetof(struct S); }', [['1:31-1:31', ')', "unexpected ')', expected ',' and a member name"]]],
  ['BEGIN { $x = 5sec; }', [['1:14-1:17', '5sec', "invalid integer literal '5sec'"]]],
  ['BEGIN { $x = 1..2; }', [['1:15-1:16', '..', "expected ';' or '}' after a statement"]]],
  ['let @m = hash(); BEGIN { }', [['1:15-1:15', ')', "unexpected ')', expected the map's maximum number of entries"]]],
  ['let @m = hashmap(10);', [['1:10-1:16', 'hashmap', "unknown map type 'hashmap'"]]],
  ['let @m = hash(0);', [['1:15-1:15', '0', 'a map needs room for at least one entry']]],
  ['let @m = hash(10) BEGIN { }', [['1:19-1:23', 'BEGIN', "unexpected 'BEGIN', expected ';' after the map declaration"]]],
  ['config = { a = 1 b = 2 }', [['1:18-1:18', 'b', "expected ';' or '}' after a config setting"]]],
  ['config = { 1 = 2 }', [['1:12-1:12', '1', "unexpected '1', expected a config setting such as 'name = value;' or '}'"]]],
  ['config { a = 1 }', [['1:8-1:8', '{', "unexpected '{', expected '='"]]],
  ['config = { a = 1; }\nconfig = { b = 2; }', [['2:1-2:19', 'config = { b = 2; }', 'only one config block is allowed']]],
  ['BEGIN { } config = { a = 1 }', [['1:11-1:28', 'config = { a = 1 }', 'the config block must come before probes, macros and map declarations']]],
  ['BEGIN { }\nimport "x.bt";', [['2:1-2:14', 'import "x.bt";', "'import' must come before probes, macros and map declarations"]]],
  ['import x;', [['1:8-1:8', 'x', "unexpected 'x', expected a file name in quotes after 'import'"]]],
  ['BEGIN {}\nstruct S { int x; };', [['2:1-2:19', 'struct S { int x; }', 'a struct definition must come before config, imports, probes, macros and map declarations']]],
  ['macro (a) { a }', [['1:7-1:7', '(', "unexpected '(', expected a macro name after 'macro'"]]],
  ['macro m(1) { }', [['1:9-1:9', '1', "unexpected '1', expected ',' or ')' after a macro parameter"]]],
  ['macro m(@) { }', [['1:9-1:9', '@', 'a macro parameter needs a name']]],
  ['struct S { int x int y; }', [['1:18-1:20', 'int', "unexpected 'int', expected ';' after a struct member"]]],
  ['struct S { int; }', [['1:15-1:15', ';', 'expected a member name']]],
  ['struct { int x; };', [['1:1-1:17', 'struct { int x; }', 'a top-level struct definition needs a name']]],
  ['enum E { A B }', [['1:12-1:12', 'B', "expected ',' or '}' after an enumerator"]]],
  ['#\nBEGIN {}', [['1:1-1:1', '#', "expected a preprocessor directive after '#'"]]],
  // several errors in one program, recovered from statement by statement and probe by probe
  ['BEGIN { @a = ; @b = 1; @c = (1; }\nEND { @d = 1 +; }', [
    ['1:14-1:14', ';', "unexpected ';', expected an expression"],
    ['1:31-1:31', ';', "unexpected ';', expected ')'"],
    ['2:15-2:15', ';', "unexpected ';', expected an expression"],
  ]],
  ['BEGIN { `; @x = 08; @y = "\\z"; }', [
    ['1:9-1:9', '`', "invalid character '`'"],
    ['1:10-1:10', ';', "unexpected ';'"],
    ['1:17-1:18', '08', "invalid octal literal '08'"],
    ['1:27-1:28', '\\z', "invalid escape character '\\z'"],
  ]],
];

function diagnose(src: string): BpfscriptError {
  try {
    parse(src, 'stdin');
  } catch (e) {
    if (e instanceof BpfscriptError) return e;
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(src)}`);
}

test('catalogue of wrong programs: messages and spans', () => {
  assert.ok(CATALOGUE.length >= 70);
  for (const [src, expected] of CATALOGUE) {
    const got = diagnose(src).diagnostics.map((d): Expect => {
      const s = d.span!;
      return [`${s.line}:${s.col}-${s.endLine}:${s.endCol}`, src.slice(s.start, s.end), d.message];
    });
    assert.equal(got, expected, JSON.stringify(src));
    for (const d of diagnose(src).diagnostics) assert.is(d.severity, 'ERROR');
  }
});

test("rendered the way bpftrace renders, with the file name given", () => {
  const src = 'BEGIN { @x = 1 @y = 2 }';
  const err = diagnose(src);
  assert.is(
    renderAll(err.diagnostics, new Map([['stdin', src]])),
    "stdin:1:16-18: ERROR: expected ';' or '}' after a statement\nBEGIN { @x = 1 @y = 2 }\n               ~~\n",
  );
  try {
    parse('BEGIN {\n  @x = ;\n}', 'tools/x.bt');
    assert.unreachable();
  } catch (e) {
    const d = (e as BpfscriptError).diagnostics[0]!;
    assert.is(`${d.span!.file}:${d.span!.line}:${d.span!.col}`, 'tools/x.bt:2:8');
  }
});

test('too deep nesting is refused up front, with a span', () => {
  const src = 'BEGIN { @x = ' + '('.repeat(100) + '1' + ')'.repeat(100) + '; }';
  const d = diagnose(src).diagnostics;
  assert.is(d.length, 1);
  assert.is(d[0]!.message, 'brackets are nested more than 64 deep');
  assert.is(d[0]!.span!.col, 13 + 64);
  // 64 levels are still fine.
  parse('BEGIN { @x = ' + '('.repeat(62) + '1' + ')'.repeat(62) + '; }', 'stdin');
});

test('a map declaration with an unknown type hints at the known ones', () => {
  const d = diagnose('let @m = hashmap(10);').diagnostics[0]!;
  assert.is(d.hint, 'map types: hash, lruhash, percpuhash, percpulruhash');
});

test('at most 20 diagnostics, each once', () => {
  const src = 'BEGIN { ' + '@x = ; '.repeat(50) + '}';
  const d = diagnose(src).diagnostics;
  assert.is(d.length, 20);
  assert.is(new Set(d.map((x) => x.span!.start)).size, 20);
});

test.run();
