// Robustness: thousands of programs made by mutating valid ones, each of which must either parse
// or be rejected with diagnostics that carry a span, quickly. A seeded generator keeps every run
// identical, so a failure names an input that can be replayed.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from '../../grammar';
import { BpfscriptError } from '../../common/diagnostics';
import { formatProgram } from '../../src/fmt';
import type { Program } from '../../src/ast';

const CORPUS = [
  'BEGIN { printf("hello\\n"); exit(); }',
  'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }',
  'kprobe:tcp_sendmsg < @[comm] = count(); >',
  'uprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc /pid == 42/ { @bytes[tid, ustack] = sum(arg0); }',
  'interval:s:1 { print(@x); clear(@x); } END { exit() }',
  'kprobe:vfs_*, tracepoint:syscalls:sys_enter_* { @[probe] = count() }',
  '#include <linux/sched.h>\nkprobe:f { $t = (struct task_struct *)curtask; @p[$t->pid] = $t->comm; }',
  'BEGIN { if ($1 > 0) { @a = 1; } else if ($# == 2) { @b = 2 } else { @c = 3 } }',
  'BEGIN { $i = 0; while ($i < 10) { $i++; if ($i == 5) { break } } unroll(4) { @x += 1; continue; } }',
  'BEGIN { $t = (1, "two", (3, 4)); @x = $t.2.0; @y = (uint32)-1 >> 3 & 0xff | 017 ^ 1_000; }',
  'BEGIN { @s = "tab\\t quote\\" hex\\x41 oct\\101"; @z = sizeof(struct task_struct) + sizeof($x); }',
  'i:ms:100 /@x[1] != 0 && !(comm == "bash") || retval < 0/ { @h = hist(retval); @m = a ? b : c ?: d; }',
  '#!/usr/bin/env bpftrace\n// comment\nBEGIN { /* c */ @[1, 2] <<= 2; @x = *(uint8 *)&$y; @a[0][1]--; return; }',
  'uretprobe:"/usr/bin/my app":main { @ = args.x->y[2]; }',
  '#ifndef X\n#define Y 1\nstruct s { int a, *b[2]; union { u64 c; }; enum e { A, B = 2 } f : 3; };\n#endif\nconfig = { max_map_keys = 2; }\nimport "x.bt";\nlet @m = lruhash(10);',
  'macro m($a, b, @c) { $a += b; @c[1] = $a; $a }\nmacro one { 1 }\nBEGIN { @x = one + m!($y, 2, @z); let $q : uint32 = { let $r = 1; $r }; }',
  'BEGIN { for ($kv : @m) { print($kv.0); } for $i : 0..10 { if $i > 5s { break } } @t = true ? offsetof(struct s, a.b) : 10UL; { @a = 1; } }',
];

/** mulberry32: small, fast, and the same everywhere. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['{', '}', '(', ')', '[', ']', '<', '>', ';', ',', '/', '*', '"', '\\', '$', '@', '#', ':', '.', '->',
  '?', '=', '==', '++', '--', '<<=', '/*', '//', '\n', ' ', 'if', 'else', 'while', 'unroll', 'sizeof', 'struct',
  'uint32', 'BEGIN', 'kprobe:f', '0x', '08', '1e', '$1', '$#', '`', 'é', '\t', '\r\n',
  'for', 'let', 'macro', 'config', 'import', '..', 'offsetof', 'true', '5s', '#define', 'enum', '!'];

function mutate(src: string, r: () => number): string {
  let s = src;
  const edits = 1 + Math.floor(r() * 4);
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(r() * (s.length + 1));
    const len = Math.floor(r() * 6);
    switch (Math.floor(r() * 5)) {
      case 0: s = s.slice(0, at) + s.slice(at + len); break;
      case 1: s = s.slice(0, at) + PIECES[Math.floor(r() * PIECES.length)] + s.slice(at); break;
      case 2: s = s.slice(0, at) + s.slice(at, at + len).repeat(2) + s.slice(at + len); break;
      case 3: s = s.slice(0, at) + String.fromCharCode(32 + Math.floor(r() * 95)) + s.slice(at + 1); break;
      default: {
        const other = CORPUS[Math.floor(r() * CORPUS.length)]!;
        const from = Math.floor(r() * other.length);
        s = s.slice(0, at) + other.slice(from, from + 1 + len * 3) + s.slice(at);
      }
    }
  }
  return s;
}

const show = (src: string) => JSON.stringify(src.length > 200 ? src.slice(0, 200) + '...' : src);

/** Parses and checks the contract; returns whether the input was accepted. */
function check(src: string): boolean {
  let program: unknown;
  try {
    program = parse(src, 'fuzz');
  } catch (e) {
    if (!(e instanceof BpfscriptError)) throw new Error(`non-diagnostic ${String(e)} for ${show(src)}`);
    assert.ok(e.diagnostics.length > 0, show(src));
    for (const d of e.diagnostics) {
      if (d.message.startsWith('internal error')) throw new Error(`${d.message} for ${show(src)}`);
      assert.ok(d.span, `no span: ${d.message} for ${show(src)}`);
      assert.is(d.span!.file, 'fuzz');
      assert.ok(d.span!.start >= 0 && d.span!.end <= src.length && d.span!.start <= d.span!.end, `bad span for ${show(src)}`);
      assert.ok(d.span!.line >= 1 && d.span!.col >= 1, `bad line/col for ${show(src)}`);
    }
    return false;
  }
  assertSpans(program, src);
  assertRoundTrip(program as Program, src);
  return true;
}

const shape = (p: Program) => JSON.stringify(p, (k, v) => (k === 'span' || k.endsWith('Span') ? undefined : typeof v === 'bigint' ? `${v}n` : v));

/** An accepted program prints as source that parses back to the same AST. */
function assertRoundTrip(program: Program, src: string): void {
  const text = formatProgram(program);
  let again: Program;
  try {
    again = parse(text, 'fuzz');
  } catch (e) {
    throw new Error(`the formatted program does not parse: ${show(text)} from ${show(src)}: ${(e as Error).message}`);
  }
  assert.is(shape(again), shape(program), `round trip changed the AST of ${show(src)}`);
}

/** Every node of an accepted program has a real span inside the source. */
function assertSpans(node: unknown, src: string): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) return node.forEach((n) => assertSpans(n, src));
  const n = node as Record<string, unknown> & { span?: { file: string; start: number; end: number; line: number } };
  if (typeof n.kind === 'string') {
    const s = n.span!;
    assert.ok(s.file === 'fuzz' && s.start >= 0 && s.start <= s.end && s.end <= src.length && s.line >= 1, `${n.kind} span in ${show(src)}`);
  }
  for (const [k, v] of Object.entries(n)) if (k !== 'span') assertSpans(v, src);
}

test('every corpus program parses', () => {
  for (const src of CORPUS) assert.ok(check(src), src);
});

// Timing is reported, not asserted (speed belongs to bench/); a hang would trip the suite's timeout.
test('mutated programs parse or fail with spanned diagnostics', () => {
  const count = Number(process.env.GRAMMAR_FUZZ_COUNT ?? 3000);
  const r = rng(0x5eed);
  let accepted = 0;
  let slowest = 0;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const src = mutate(CORPUS[Math.floor(r() * CORPUS.length)]!, r);
    const t = performance.now();
    if (check(src)) accepted++;
    slowest = Math.max(slowest, performance.now() - t);
  }
  const total = performance.now() - t0;
  assert.ok(accepted > 0 && accepted < count, `accepted ${accepted} of ${count}`);
  if (process.env.GRAMMAR_FUZZ_COUNT) {
    console.log(`fuzz: ${count} inputs, ${accepted} accepted (each re-parsed from its formatted text), ${(total / 1000).toFixed(1)} s, slowest ${slowest.toFixed(1)} ms`);
  }
});

test('random token soup parses or fails with spanned diagnostics', () => {
  const r = rng(0xb0b);
  const words = [...PIECES, 'pid', 'comm', '@x', '$y', '1', '"s"', 'printf', 'interval:s:1', 'uprobe:/bin/sh:main', '/', '0x1f'];
  for (let i = 0; i < 1000; i++) {
    const n = 1 + Math.floor(r() * 30);
    let src = '';
    for (let k = 0; k < n; k++) src += words[Math.floor(r() * words.length)]! + (r() < 0.5 ? ' ' : '');
    check(src);
  }
});

test('pathological inputs: deep nesting, long input, empty input', () => {
  check('BEGIN { @x = ' + '('.repeat(20000) + '1' + ')'.repeat(20000) + '; }');
  check('BEGIN { @x = ' + '-'.repeat(50000) + '1; }');
  check('BEGIN { if (1) { '.repeat(5000));
  check('BEGIN { @x = 1; }\n'.repeat(3000));
  check('}'.repeat(10000));
  check('@x = 1;'.repeat(3000));
  assert.ok(check(''));
  assert.ok(check('  // nothing\n'));
});

test.run();
