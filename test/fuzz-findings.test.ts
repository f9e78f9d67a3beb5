// Programs the fuzz lane (test/fuzz) found the compiler getting wrong, reduced by hand: each now
// compiles, loads through the kernel verifier, and where it runs prints what bpftrace prints.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../src/compile';
import { assertVerifies, bpfscript, leakedPrograms, sameAsBpftrace } from './helpers';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// In-process compiles ask this kernel what it allows, as the CLI does.
useLibbpfFeatureProbes();

const LONG = 'a'.repeat(57);
/** Four 64-byte string variables fill the stack budget, so what follows lives in the scratch map. */
const FILL = `$a = "${LONG}"; $b = $a; $c = $a; $d = $a;`;

const verifies = (src: string) => assertVerifies(compile(src, { file: 'fuzz.bt' }).elf, src);

test('a variable in the scratch map first set in one unrolled copy of a branch is usable in all', () => {
  verifies(`BEGIN { ${FILL} unroll(3) { if (pid) { } else if (nsecs) { $x = 0; } else { } } @y = $x; }`);
});

test('a while loop whose counter is set after the stack budget is spent is bounded by the verifier', () => {
  verifies(`BEGIN { ${FILL} $i = 0; while ($i < 7) { @n = $i; if (nsecs) { $i++; continue; } $i++; } }`);
});

test('lhist of a masked value whose quotient LLVM knows is small still bounds its bucket', () => {
  verifies('BEGIN { @a = lhist((uint16)pid >> 8, 0, 1000, 7); }');
  verifies('BEGIN { $i = 0; while ($i < 10) { @h = hist($i); @l[$i] = lhist($i, 0, 5, 1); $i++ } }');
});

test('a ternary of strings of different lengths compares and prints as bpftrace does', () => {
  verifies(`END { ${FILL} @m = (comm == (pid ? "${'b'.repeat(51)}" : "a")) }`);
  sameAsBpftrace('BEGIN { $s = (pid ? "a" : "bbbbbbbbbbbb"); printf("%s|%s|%d\\n", $s, (nsecs ? "x" : "yyyyyyyyyy"), (pid ? "ab" : "abcdefgh") == "ab"); @[pid ? "q" : "rrrrrr"] = 1; exit() }');
  assert.equal(leakedPrograms(), []);
});

test('an aggregation fed integers of either signedness is one map, printed as bpftrace prints it', () => {
  sameAsBpftrace('BEGIN { @s = sum((uint64)2); @s = sum((int8)-5); @t = sum((int8)-5); @t = sum((uint64)2); @m = min((uint8)3); @m = min((int8)-2); @a = avg((uint32)10); @a = avg((int64)-4); @x = max((int8)-3); @x = max((uint8)1); exit() }');
});

test('delete() of an entry keyed by one tuple removes the entry the same tuple wrote', () => {
  // bpftrace 0.17 has no tuple keys (only @m[a, b]), so this is bpfscript's own behaviour.
  const r = bpfscript(['-e', 'BEGIN { @m[(1, "a")] = 1; @m[2, "b"] = 2; $t = (3, "c"); @m[$t] = 3; delete(@m[(1, "a")]); delete(@m[$t]); exit() }']);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n\n\n@m[2, b]: 2\n');
});

test.run();
