// uprobe args from DWARF. The reader against the fixture's own ELF (DWARF 5 and 4, -O0 and -O2):
// functions, parameters, type names, and struct layouts checked against gcc's offsetof. Then real
// programs: args->NAME of every width, typedefs and enums, pointers to structs from DWARF, casts,
// a script's struct replacing the binary's, -lv, and the refusals, compared with bpftrace 0.17
// where it agrees (it mislays a few things that bpfscript reads correctly: see spec.md).

import { execFileSync, spawnSync } from './child';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ElfFile } from '../common/kernel/elf';
import { Dwarf } from '../common/kernel/dwarf';
import { placeParams } from '../common/kernel/dwarf/sysv';
import { DwarfBtf } from '../src/semantic/dwarf-to-btf';
import { ROOT, bpfscript, buildFixture, fixture, leakedPrograms, sameAsBpftrace, scratchPath } from './helpers';

test.after(() => {
  assert.equal(leakedPrograms(), []);
});

const SOURCE = join(ROOT, 'test', 'fixtures', 'dwarf-args.c');
const build = (flags: string[], out: string) => buildFixture('dwarf-args', out, flags);
const debug = () => build(['-g', '-O0'], 'dwarf-args');

const dwarfOf = (path: string) => {
  const dw = Dwarf.of(ElfFile.open(path));
  assert.ok(dw, `${path} has DWARF`);
  return dw!;
};

const listing = (dw: Dwarf, fn: string) => dw.findFunction(fn)!.params.map((p) => `${dw.typeName(p.type)} ${p.name}`);

for (const [label, flags] of [['DWARF 5, -O0', ['-g', '-O0']], ['DWARF 4, -O0', ['-gdwarf-4', '-O0']], ['DWARF 5, -O2', ['-g', '-O2']]] as const) {
  test(`reader (${label}): functions, their parameters and types as bpftrace 0.17 spells them`, () => {
    const dw = dwarfOf(build([...flags], `dwarf-args${flags.join('')}`));
    assert.equal(listing(dw, 'scalars'), ['char c', 'unsigned char uc', 'short int s', 'short unsigned int us', 'int i', 'long int l']);
    assert.equal(listing(dw, 'typed'), ['counter_t n', 'label_t label', '<unknown type> cv', 'enum shade sh']);
    assert.equal(listing(dw, 'records'), ['struct rec* r', 'struct rec** pp']);
    assert.equal(listing(dw, 'peek'), ['const struct rec* other']);
    assert.equal(listing(dw, 'main'), ['int argc', 'char** argv']);
    assert.equal(listing(dw, 'noargs'), []);
    assert.is(dw.findFunction('no_such_function'), null);
  });
}

test('reader: a binary built without -g has no DWARF', () => {
  assert.is(Dwarf.of(ElfFile.open(fixture('cstructs'))), null);
});

test('BTF from DWARF: struct layouts match what gcc lays out (offsetof, sizeof)', () => {
  const dw = dwarfOf(debug());
  const layer = new DwarfBtf(null);
  for (const n of ['struct rec', 'struct inner', 'union word', 'struct pair']) layer.add(dw, dw.findType(n));
  const btf = layer.build();
  // The oracle: gcc itself, compiling the fixture with a main that prints offsetof and sizeof.
  const probe = scratchPath('dwarf-layout.c');
  const fields: [string, string][] = [['rec', 'id'], ['rec', 'name'], ['rec', 'vals'], ['rec', 'in'], ['rec', 'w'], ['rec', 'sh'], ['rec', 'next'], ['inner', 'tag'], ['inner', 'weight'], ['pair', 'y']];
  writeFileSync(
    probe,
    `#define main fixture_main\n#include "${SOURCE}"\n#undef main\n#include <stdio.h>\n#include <stddef.h>\nint main(void) {\n` +
      fields.map(([s, f]) => `  printf("%zu\\n", offsetof(struct ${s}, ${f}));\n`).join('') +
      '  printf("%zu %zu %zu\\n", sizeof(struct rec), sizeof(union word), sizeof(struct pair));\n  return 0;\n}\n',
  );
  const exe = scratchPath('dwarf-layout');
  execFileSync('cc', ['-o', exe, probe]);
  const gcc = execFileSync(exe, [], { encoding: 'utf8' }).trim().split('\n');
  const ours = fields.map(([s, f]) => String(btf.member(btf.findStruct(s)!.id, f)!.bitOffset / 8));
  ours.push(`${btf.sizeOf(btf.findStruct('rec')!.id)} ${btf.sizeOf(btf.findUnion('word')!.id)} ${btf.sizeOf(btf.findStruct('pair')!.id)}`);
  assert.equal(ours, gcc);
  assert.equal(btf.memberNames(btf.findUnion('word')!.id), ['whole', 'bytes']);
  assert.is(btf.typeName(btf.member(btf.findStruct('rec')!.id, 'name')!.type), 'char[12]');
});

test('calling convention: registers, xmm, structs by value and the stack', () => {
  const dw = dwarfOf(debug());
  const places = (fn: string) => placeParams(dw, dw.findFunction(fn)!.params.map((p) => p.type));
  assert.equal(places('scalars').map((p) => (p.kind === 'reg' ? [p.reg, p.size, p.signed] : p.kind)), [[0, 1, true], [1, 1, false], [2, 2, true], [3, 2, false], [4, 4, true], [5, 8, true]]);
  assert.equal(places('byvalue'), [{ kind: 'regs', size: 8, regs: [0], sse: false }, { kind: 'reg', reg: 1, size: 4, signed: true }]);
  assert.equal(places('twovalue'), [{ kind: 'regs', size: 16, regs: [0, 1], sse: false }, { kind: 'regs', size: 16, regs: [2], sse: true }, { kind: 'reg', reg: 3, size: 4, signed: true }]);
  assert.equal(places('mixed'), [{ kind: 'float' }, { kind: 'reg', reg: 0, size: 4, signed: true }]);
  const many = places('many');
  assert.equal(many.slice(6), [{ kind: 'stack', offset: 8, size: 8, signed: true, scalar: true }, { kind: 'stack', offset: 16, size: 8, signed: true, scalar: true }]);
  assert.equal(places('bigvalue'), [{ kind: 'stack', offset: 8, size: 64, signed: false, scalar: false }, { kind: 'reg', reg: 0, size: 4, signed: true }]);
});

/** Runs the fixture (one round) under both tools and returns the shared output. */
const both = (prog: string) => sameAsBpftrace(prog, ['-c', `${debug()} 1`]);
const ours = (prog: string) => bpfscript(['-c', `${debug()} 1`, '-e', prog]);

test('args->NAME: integers of every width and signedness, a char, typedefs, an enum (as bpftrace 0.17)', () => {
  const w = debug();
  assert.is(
    both(`uprobe:${w}:scalars { printf("%c %d %d %d %d %ld\\n", args->c, args->uc, args->s, args->us, args->i, args->l); print((args->c, args->uc, args->s, args->us, args->i, args->l)); }`),
    'Attaching 1 probe...\nx 200 -300 60000 -70000 -8000000000\n(120, 200, -300, 60000, -70000, -8000000000)\n\n\n',
  );
  assert.is(both(`uprobe:${w}:typed { printf("%lu %s %d\\n", args->n, str(args->label), args->cv); print(args->sh); }`), 'Attaching 1 probe...\n42 label -9\n7\n\n\n');
  assert.is(both(`uprobe:${w}:main { printf("%d %s\\n", args->argc, str(*(args->argv + 1))); }`), 'Attaching 1 probe...\n2 1\n\n\n');
  assert.is(both(`uprobe:${w}:many { print((args->a1, args->a2, args->a3, args->a4, args->a5, args->a6)); }`), 'Attaching 1 probe...\n(1, 2, 3, 4, 5, 6)\n\n\n');
});

test('args->NAME: pointers to DWARF structs, members, nested structs, arrays, a pointer to a pointer', () => {
  const w = debug();
  const out = both(
    `uprobe:${w}:records { print(args->r->id); print(args->r->name); print(args->r->vals); print(args->r->in); print(args->r->next->name); print((*args->pp)->id); @[args->r->name] = sum(args->r->in.weight); }`,
  );
  assert.is(out, 'Attaching 1 probe...\n1\nfirst\n[1,2,3]\n{ .tag = -5, .weight = 1234567890123 }\nsecond\n1\n\n\n@[first]: 1234567890123\n');
  // Where bpftrace 0.17 goes wrong (it prints `{  }` for the struct, knows only a union's first
  // member, and aborts on a pointer to a const struct), the values the fixture passed:
  const r = ours(`uprobe:${w}:records { print(*args->r); print(args->r->w.bytes); } uprobe:${w}:peek { print(args->other->in); }`);
  assert.is(r.stderr, '');
  assert.match(r.stdout, /^Attaching 2 probes...\n\{ \.id = 1, \.name = first, \.vals = \[1,2,3\], \.in = \{ \.tag = -5, \.weight = 1234567890123 \}, \.w = \{ \.whole = 2864434397, \.bytes = \[221,204,187,170\] \}, \.sh = 7, \.next = \d+ \}\n\[221,204,187,170\]\n\{ \.tag = 3, \.weight = 30 \}\n/);
});

test('DWARF structs in casts and sizeof; a struct the script defines replaces the binary\'s', () => {
  const w = debug();
  assert.is(both(`uprobe:${w}:records { print(((struct rec *)arg0)->next->vals); print(sizeof(struct rec)); }`), 'Attaching 1 probe...\n[4,5,6]\n64\n\n\n');
  // 'f' of "first", the byte after the int id, read through the script's layout.
  assert.is(both(`struct rec { int id; char x; } uprobe:${w}:records { print(args->r->x); print(((struct rec *)arg0)->x); }`), 'Attaching 1 probe...\n102\n102\n\n\n');
});

test('the binary named by a positional parameter ($1) has its DWARF read too', () => {
  const r = bpfscript(['-c', `${debug()} 1`, '-e', 'uprobe:$1:scalars { print(args->s); }', debug()]);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 1 probe...\n-300\n\n\n');
});

test('DWARF in a separate debug file (.gnu_debuglink next to a stripped binary), as bpftrace 0.17 finds it', () => {
  const stripped = scratchPath('dwarf-args-stripped');
  const debugPart = scratchPath('dwarf-args.debug');
  execFileSync('objcopy', ['--only-keep-debug', debug(), debugPart]);
  execFileSync('objcopy', ['--strip-debug', `--add-gnu-debuglink=${debugPart}`, debug(), stripped]);
  assert.is(ElfFile.open(stripped).section('.debug_info'), undefined);
  assert.equal(listing(dwarfOf(stripped), 'scalars'), ['char c', 'unsigned char uc', 'short int s', 'short unsigned int us', 'int i', 'long int l']);
  assert.is(sameAsBpftrace(`uprobe:${stripped}:scalars { print(args->s); }`, ['-c', `${stripped} 1`]), 'Attaching 1 probe...\n-300\n\n\n');
});

test('a parameter read where the calling convention put it: after a double, after a struct by value, on the stack', () => {
  const w = debug();
  // bpftrace 0.17 reads the second argument register for args->after of mixed(double, int) (a
  // stale value), and aborts on args->a7.
  const r = ours(
    `uprobe:${w}:mixed { print(args->after); } uprobe:${w}:byvalue { print(args->after); } uprobe:${w}:many { print((args->a6, args->a7, args->a8)); } ` +
      `uprobe:${w}:bigvalue { print((args->after, args->r.id, args->r.name, args->r.in.weight)); print(args->r.vals); }`,
  );
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 4 probes...\n33\n(55, 1, first, 1234567890123)\n[1,2,3]\n44\n(6, 7, 8)\n\n\n');
});

test('a struct passed by value in registers is put together from them (bpftrace 0.17 prints zeros)', () => {
  const w = debug();
  const r = ours(`uprobe:${w}:byvalue { print(args->p); print(args->p.y); @m = args->p; } uprobe:${w}:twovalue { print((args->s.lo, args->s.hi, args->after)); print(args->s); }`);
  assert.is(r.stderr, '');
  assert.is(r.stdout, 'Attaching 2 probes...\n{ .x = 11, .y = 22 }\n22\n(-123456789012, 77, 99)\n{ .lo = -123456789012, .hi = 77 }\n\n\n@m: { .x = 11, .y = 22 }\n');
});

test('-lv lists each parameter with its C type, as bpftrace 0.17 does', () => {
  const w = debug();
  for (const pattern of [`uprobe:${w}:*`, `uprobe:${w}:records`, `uretprobe:${w}:*`]) {
    const mine = bpfscript(['-lv', pattern]);
    const theirs = spawnSync('bpftrace', ['-lv', pattern], { encoding: 'utf8' });
    assert.is(mine.stdout, theirs.stdout, pattern);
  }
  assert.match(bpfscript(['-lv', `uprobe:${w}:typed`]).stdout, `uprobe:${w}:typed\n    counter_t n\n    label_t label\n    <unknown type> cv\n    enum shade sh\n`);
  const plain = fixture('cstructs');
  const nodw = bpfscript(['-lv', `uprobe:${plain}:take`]);
  assert.is(nodw.stdout, `uprobe:${plain}:take\n`);
  assert.match(nodw.stderr, `WARNING: No DWARF found for "${plain}", cannot show parameter info`);
});

test("refusals: no debug info, an unknown parameter, uretprobe, and what cannot be read", () => {
  const w = debug();
  const plain = fixture('cstructs');
  const cases: [string, string][] = [
    [`uprobe:${plain}:take { print(args->r); }`, `ERROR: No debuginfo found for ${plain}`],
    [`uprobe:${w}:scalars { print(args->nope); }`, "ERROR: Can't find function parameter nope"],
    [`uprobe:${w}:_start { print(args->x); }`, "ERROR: Can't find function parameter x"],
    [`uprobe:${w}:scalars { $a = args; }`, 'ERROR: args cannot be assigned to a variable'],
    [`uprobe:${w}:scalars { @a = args; }`, 'ERROR: context cannot be assigned to a map'],
    [`uretprobe:${w}:scalars { print(args->c); }`, 'ERROR: args is not available in uretprobe probes'],
    [`uprobe:${w}:mixed { print(args->d); }`, 'ERROR: args->d is a floating-point parameter (double)'],
    [`uprobe:${w}:twovalue { print(args->m); }`, 'ERROR: args->m is a struct mix passed by value partly in SSE registers'],
  ];
  for (const [prog, message] of cases) {
    const r = bpfscript(['-e', prog]);
    assert.is(r.status, 1, prog);
    assert.match(r.stderr, message, prog);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  }
  // The hints name what there is.
  assert.match(bpfscript(['-e', `uprobe:${w}:scalars { print(args->us2); }`]).stderr, "HINT: did you mean 'us'? (its parameters are: c, uc, s, us, i, l)");
  assert.match(bpfscript(['-e', `uprobe:${w}:_start { print(args->x); }`]).stderr, `HINT: the DWARF of ${w} does not describe _start`);
  // Without args, a binary without DWARF is traced as before.
  const ok = bpfscript(['--dry-run', '-e', `uprobe:${plain}:take { print(arg0); }`]);
  assert.is(ok.status, 0, ok.stderr);
});

test.run();
