// The printer behind `bpfscript --fmt`: its exact canonical layout, and the round trip — parsing
// the printed program gives the same AST as the original (spans aside), and printing that again
// changes nothing — for every example, every .bt file under test/, and every program written as a
// string literal in any test suite.

import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from '../../grammar';
import { formatProgram, quote } from '../../src/fmt';
import type * as A from '../../src/ast';
import { bpfscript, ROOT } from '../helpers';

/** The AST without positions, as comparable text. */
const shape = (p: A.Program) =>
  JSON.stringify(p, (k, v) => (k === 'span' || k.endsWith('Span') ? undefined : typeof v === 'bigint' ? `${v}n` : v));

/** Asserts the round trip for one program and returns its formatted text. */
function roundTrip(src: string, name: string): string {
  const first = parse(src, name);
  const text = formatProgram(first);
  let again: A.Program;
  try {
    again = parse(text, `${name} (formatted)`);
  } catch (e) {
    throw new Error(`formatted ${name} does not parse:\n${text}\n${(e as Error).message}`);
  }
  assert.is(shape(again), shape(first), `${name}: the AST changed:\n${text}`);
  assert.is(formatProgram(again), text, `${name}: formatting is not idempotent`);
  return text;
}

const fmt = (src: string) => formatProgram(parse(src, 'stdin'));

test('fn definitions keep their types and return values', () => {
  assert.is(fmt('fn f($a: int64, $s: string[8]): struct task_struct * { return (struct task_struct *)$a; } BEGIN { return; }'), `fn f($a: int64, $s: string[8]): struct task_struct *
{
  return (struct task_struct *)$a;
}

BEGIN
{
  return;
}
`);
});

test('canonical layout of every construct', () => {
  const src = `#!/usr/bin/env bpftrace
#include <linux/sched.h>
#define MAX 10
struct s { int a, *b[2]; union { u64 c; }; enum { X, Y = 2 } e; }
config = { missing_probes = warn }
import "lib.bt";
let @m = lruhash(100);
macro add($a, b, @c) { $a += b; @c[1] = $a; $a }
kprobe:vfs_read, kprobe:vfs_write /pid == 1 && comm != "x"/ {
  let $x = { let $y = 0x10; $y * 2 }; let $n : uint32;
  for ($kv : @m) { print($kv.0); }
  for ($i : 0..5s) { if ($i == 2) { continue } else if $i > 3 { break } else { @m[$i]++; } }
  while ($x > 0) { $x -= 1; }
  unroll(3) { @c = add!($x, 1, @m); }
  @t = (1, "a\\tb", true).1;
  @z = (struct task_struct *)curtask->parent->pid + offsetof(struct s, a) + sizeof(uint64);
  @w = -(-$x) - (1 - 2) * ~3 ?: $x ? 1 : 2;
  return;
}`;
  assert.is(
    fmt(src),
    `#include <linux/sched.h>
#define MAX 10
struct s {
  int a;
  int *b[2];
  union {
    u64 c;
  };
  enum {
    X,
    Y = 2,
  } e;
};

config = {
  missing_probes = warn;
}
import "lib.bt";

let @m = lruhash(100);

macro add($a, b, @c)
{
  $a += b;
  @c[1] = $a;
  $a
}

kprobe:vfs_read,
kprobe:vfs_write
/pid == 1 && comm != "x"/
{
  let $x = {
    let $y = 0x10;
    $y * 2
  };
  let $n : uint32;
  for ($kv : @m) {
    print($kv.0);
  }
  for ($i : 0..5s) {
    if ($i == 2) {
      continue;
    } else if ($i > 3) {
      break;
    } else {
      @m[$i]++;
    }
  }
  while ($x > 0) {
    $x -= 1;
  }
  unroll (3) {
    @c = add!($x, 1, @m);
  }
  @t = (1, "a\\tb", true).1;
  @z = (struct task_struct *)curtask->parent->pid + offsetof(struct s, a) + sizeof(uint64);
  @w = -(-$x) - (1 - 2) * ~3 ?: $x ? 1 : 2;
  return;
}
`,
  );
});

test('parentheses exactly where precedence and associativity need them', () => {
  const cases: [string, string][] = [
    ['(a + b) * c', '(a + b) * c'],
    ['a + (b * c)', 'a + b * c'],
    ['a - (b - c)', 'a - (b - c)'],
    ['(a - b) - c', 'a - b - c'],
    ['(a ? b : c) ? d : e', '(a ? b : c) ? d : e'],
    ['a ? b : (c ? d : e)', 'a ? b : c ? d : e'],
    ['-(a + 1)', '-(a + 1)'],
    ['(-a) + 1', '-a + 1'],
    ['- (-a)', '-(-a)'],
    ['&(&$x)', '&(&$x)'],
    ['(uint8)(a + b)', '(uint8)(a + b)'],
    ['((uint8)a)[1]', '((uint8)a)[1]'],
    ['(*$p).x', '(*$p).x'],
    ['(1, (2, 3)).1.0', '(1, (2, 3)).1.0'],
    ['(a || b) && c', '(a || b) && c'],
    ['a << (b + c)', 'a << b + c'],
  ];
  for (const [input, want] of cases) {
    const out = fmt(`BEGIN { @x = ${input}; }`);
    assert.is(out, `BEGIN\n{\n  @x = ${want};\n}\n`, input);
    roundTrip(`BEGIN { @x = ${input}; }`, input);
  }
});

test('strings are escaped so they read back byte for byte', () => {
  assert.is(quote('a"b\\c\n\t\r'), '"a\\"b\\\\c\\n\\t\\r"');
  assert.is(quote('\x01\x7f\xff'), '"\\x01\\x7f\\xff"');
  assert.is(quote('é'), '"\\xe9"');
  roundTrip('BEGIN { printf("\\x41\\101\\0\\"q\\" \\\\ %s\\n", "\\xff"); }', 'escapes');
});

test('a predicate that starts with * keeps its slash apart from it', () => {
  assert.is(fmt('kprobe:f / *$p == 1/ { }').split('\n')[1], '/ *$p == 1 /');
  roundTrip('kprobe:f / *(uint8 *)arg0 / { }', 'deref predicate');
});

test('programs in every form round-trip: < > blocks, else-if chains, comments dropped', () => {
  const text = roundTrip('kprobe:f < @a = 1; if (1) { } else { if (2) { } } > // note\nEND { /* x */ exit() }', 'forms');
  assert.is(text, 'kprobe:f\n{\n  @a = 1;\n  if (1) {\n  } else if (2) {\n  }\n}\n\nEND\n{\n  exit();\n}\n');
  assert.is(fmt(''), '');
});

test('every example script round-trips', () => {
  const dir = join(ROOT, 'examples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.bt'));
  assert.ok(files.length >= 20, `only ${files.length} examples`);
  for (const f of files) roundTrip(readFileSync(join(dir, f), 'utf8'), f);
});

/** Every string literal of every test suite that is a whole program (parses, has a block). */
function testPrograms(): { name: string; src: string }[] {
  const dir = join(ROOT, 'test');
  const out: { name: string; src: string }[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const file = ts.createSourceFile(f, readFileSync(join(dir, f), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node) => {
      if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && n.text.includes('{')) {
        try {
          parse(n.text, f);
          out.push({ name: `${f}:${file.getLineAndCharacterOfPosition(n.getStart()).line + 1}`, src: n.text });
        } catch {
          // Not a program, or a wrong one on purpose.
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(file);
  }
  for (const f of readdirSync(join(dir, 'fixtures')).filter((n) => n.endsWith('.bt'))) {
    const src = readFileSync(join(dir, 'fixtures', f), 'utf8');
    try {
      parse(src, f);
      out.push({ name: f, src });
    } catch {
      // A fixture that is wrong on purpose.
    }
  }
  return out;
}

test('every program in the test suites round-trips', () => {
  const programs = testPrograms();
  assert.ok(programs.length >= 150, `only ${programs.length} programs found`);
  for (const { name, src } of programs) roundTrip(src, name);
});

test('bpfscript --fmt prints the formatted program; a wrong one is a diagnostic and exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscript-fmt-'));
  const good = join(dir, 'good.bt');
  writeFileSync(good, 'BEGIN{printf("hi\\n");exit()}');
  const r = bpfscript(['--fmt', good]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'BEGIN\n{\n  printf("hi\\n");\n  exit();\n}\n');
  assert.is(r.status, 0);
  const bad = join(dir, 'bad.bt');
  writeFileSync(bad, 'BEGIN { @x = ; }\n');
  const e = bpfscript(['--fmt', bad]);
  assert.is(e.stdout, '');
  assert.is(e.stderr, `${bad}:1:14-15: ERROR: unexpected ';', expected an expression\nBEGIN { @x = ; }\n             ~\n`);
  assert.is(e.status, 1);
});

test.run();
