// The BTF reader against two independent oracles: bpftool's JSON dump of the same file (every
// type, field by field), and gcc compiling the C header bpftool generates from it (offsets, sizes
// and bitfield positions of kernel structs, as the C compiler lays them out).

import { execFileSync } from './child';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Btf, BtfFormatError, type BtfType } from '../common/kernel/btf';

const VMLINUX = '/sys/kernel/btf/vmlinux';

interface ToolType {
  id: number; kind: string; name: string; size?: number; type_id?: number; ret_type_id?: number;
  nr_bits?: number; bits_offset?: number; encoding?: string; nr_elems?: number; index_type_id?: number;
  members?: { name: string; type_id: number; bits_offset: number; bitfield_size?: number }[];
  params?: { name: string; type_id: number }[];
  values?: { name: string; val: string }[];
  fwd_kind?: string; linkage?: string; component_idx?: number;
  vars?: { type_id: number; offset: number; size: number }[];
}

const anon = (n: string): string => n || '(anon)';

/** bpftool's view of one of our decoded types, in bpftool's JSON vocabulary. */
function asTool(btf: Btf, t: BtfType): Record<string, unknown> {
  const base = { id: t.id, kind: t.kind.toUpperCase(), name: anon(t.name) };
  switch (t.kind) {
    case 'int':
      return { ...base, size: t.size, bits_offset: t.offset, nr_bits: t.bits, encoding: t.bool ? 'BOOL' : t.char ? 'CHAR' : t.signed ? 'SIGNED' : '(none)' };
    case 'ptr': case 'typedef': case 'volatile': case 'const': case 'restrict': case 'type_tag':
      return { ...base, type_id: t.kind === 'ptr' ? t.target : t.target };
    case 'array':
      return { ...base, type_id: t.elem, index_type_id: t.index, nr_elems: t.length };
    case 'struct': case 'union':
      return {
        ...base, size: t.size, vlen: t.members.length,
        members: t.members.map((m) => ({ name: anon(m.name), type_id: m.type, bits_offset: m.bitOffset, ...(m.bitSize ? { bitfield_size: m.bitSize } : {}) })),
      };
    case 'enum': case 'enum64':
      return { ...base, encoding: t.signed ? 'SIGNED' : 'UNSIGNED', size: t.size, vlen: t.values.length, values: t.values.map((v) => ({ name: v.name, val: v.value.toString() })) };
    case 'fwd':
      return { ...base, fwd_kind: t.union ? 'union' : 'struct' };
    case 'func':
      return { ...base, type_id: t.proto, linkage: t.linkage };
    case 'func_proto': {
      const params = t.params.map((p) => ({ name: anon(p.name), type_id: p.type }));
      if (t.variadic) params.push({ name: '(anon)', type_id: 0 });
      return { ...base, ret_type_id: t.ret, vlen: params.length, params };
    }
    case 'var':
      return { ...base, type_id: t.type, linkage: ['static', 'global', 'extern'][t.linkage] ?? String(t.linkage) };
    case 'datasec':
      return { ...base, size: t.size, vlen: t.vars.length, vars: t.vars.map((v) => ({ type_id: v.type, offset: v.offset, size: v.size })) };
    case 'float':
      return { ...base, size: t.size };
    case 'decl_tag':
      return { ...base, type_id: t.target, component_idx: t.componentIdx };
    case 'void':
      return base;
  }
}

test('every type of the running kernel decodes as bpftool decodes it', () => {
  const btf = Btf.vmlinux();
  assert.ok(btf, 'the kernel exposes BTF');
  // Enum values as strings, so 64-bit ones survive JSON.parse exactly.
  const json = execFileSync('bpftool', ['-j', 'btf', 'dump', 'file', VMLINUX], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const tool = JSON.parse(json.replace(/"val":\s*(-?\d+)/g, '"val":"$1"')).types as ToolType[];
  assert.is(btf.count, tool.length);
  let mismatches = 0;
  for (const want of tool) {
    const got = asTool(btf, btf.type(want.id));
    // bpftool sign-extends 32-bit enumerators even in an unsigned enum (0xefffffff prints as
    // 2^64 - 0x10000001); the 32 bits are what both sides must agree on.
    if (want.kind === 'ENUM') for (const v of want.values ?? []) v.val = BigInt.asUintN(32, BigInt(v.val)).toString();
    if (got.kind === 'ENUM') for (const v of got.values as { val: string }[]) v.val = BigInt.asUintN(32, BigInt(v.val)).toString();
    try {
      assert.equal(got, want);
    } catch (e) {
      if (++mismatches <= 3) console.error(JSON.stringify(want), '\n', JSON.stringify(got));
    }
  }
  assert.is(mismatches, 0, `${mismatches} types differ from bpftool`);
});

test('named lookups: functions with parameters, structs, typedefs, enums', () => {
  const btf = Btf.vmlinux()!;
  const f = btf.findFunc('vfs_read')!;
  assert.equal(f.params.map((p) => `${btf.typeName(p.type)} ${p.name}`), ['struct file * file', 'char * buf', 'size_t count', 'loff_t * pos']);
  assert.is(btf.typeName(f.ret), 'ssize_t');
  assert.is(btf.type(f.id).kind, 'func');
  assert.equal(btf.findFunc('tcp_sendmsg')!.params.map((p) => p.name), ['sk', 'msg', 'size']);
  assert.is(btf.findFunc('no_such_function_here'), null);

  const u64 = btf.findTypedef('u64')!;
  assert.equal(btf.resolve(u64.id), { ...btf.resolve(u64.id), kind: 'int', size: 8, bits: 64, signed: false });
  assert.is(btf.sizeOf(u64.id), 8);
  assert.is(btf.findStruct('u64'), null, 'a typedef is not a struct');
  assert.ok(btf.findUnion('bpf_attr'));
  assert.is(btf.findEnum('bpf_prog_type')!.values.find((v) => v.name === 'BPF_PROG_TYPE_TRACING')!.value, 26n);
  assert.is(btf.findEnumValue('BPF_PROG_TYPE_KPROBE')!.value, 2n);
  assert.is(btf.findEnumValue('TCP_ESTABLISHED')!.value, 1n);
  assert.is(btf.findEnumValue('NOT_AN_ENUMERATOR_XYZ'), null);
  const comm = btf.member(btf.findStruct('task_struct')!, 'comm')!;
  assert.is(btf.typeName(comm.type), 'char[16]');
  assert.is(btf.sizeOf(comm.type), 16);
});

/** Structs and members whose layout gcc reports from the header bpftool writes. */
const MEMBERS: [string, string][] = [
  ['task_struct', 'pid'], ['task_struct', 'tgid'], ['task_struct', 'comm'], ['task_struct', 'real_parent'],
  ['sk_buff', 'len'], ['sk_buff', 'next'], ['sk_buff', 'data'], ['sock', '__sk_common'], ['sock', 'sk_rcvbuf'],
  ['sock_common', 'skc_family'], ['sock_common', 'skc_daddr'], ['sock_common', 'skc_dport'], ['sock_common', 'skc_num'],
  ['file', 'f_inode'], ['inode', 'i_ino'], ['msghdr', 'msg_iter'], ['iov_iter', 'count'],
];
const BITFIELDS: [string, string][] = [['sk_buff', 'pkt_type'], ['sk_buff', 'cloned'], ['sock', 'sk_gso_disabled']];

test('struct layout matches what gcc makes of the same types (anonymous members, bitfields)', () => {
  const btf = Btf.vmlinux()!;
  const dir = mkdtempSync(join(tmpdir(), 'btf-test-'));
  try {
    execFileSync('sh', ['-c', `bpftool btf dump file ${VMLINUX} format c > ${dir}/vmlinux.h`]);
    const plain = MEMBERS.map(([s, m]) => `printf("%zu %zu\\n", __builtin_offsetof(struct ${s}, ${m}), sizeof(((struct ${s} *)0)->${m}));`);
    // A bitfield has no address: set all its bits in a zeroed struct and see which bits changed.
    const bits = BITFIELDS.map(([s, m]) => `{ static struct ${s} v; memset(&v, 0, sizeof v); v.${m} = ~0; bitsof(&v, sizeof v); }`);
    writeFileSync(join(dir, 'layout.c'), `#include "vmlinux.h"
extern int printf(const char *, ...); extern void *memset(void *, int, unsigned long);
static void bitsof(const void *p, unsigned long n) {
  const unsigned char *b = p; long first = -1, count = 0;
  for (unsigned long i = 0; i < n * 8; i++) if (b[i / 8] >> (i % 8) & 1) { if (first < 0) first = i; count++; }
  printf("%ld %ld\\n", first, count);
}
int main(void) { ${plain.join('\n')}\n${bits.join('\n')}\nprintf("%zu %zu\\n", sizeof(struct task_struct), sizeof(struct sk_buff)); return 0; }
`);
    execFileSync('cc', ['-w', '-o', join(dir, 'layout'), join(dir, 'layout.c')]);
    const want = execFileSync(join(dir, 'layout'), { encoding: 'utf8' }).trim().split('\n');
    const got = [
      ...MEMBERS.map(([s, m]) => {
        const loc = btf.member(btf.findStruct(s)!, m);
        assert.ok(loc, `${s}.${m} found`);
        return `${loc.bitOffset / 8} ${btf.sizeOf(loc.type)}`;
      }),
      ...BITFIELDS.map(([s, m]) => {
        const loc = btf.member(btf.findStruct(s)!, m)!;
        return `${loc.bitOffset} ${loc.bitSize}`;
      }),
      `${btf.findStruct('task_struct')!.size} ${btf.findStruct('sk_buff')!.size}`,
    ];
    assert.equal(got, want);
    assert.ok(btf.memberNames(btf.findStruct('sock_common')!).includes('skc_daddr'), 'names inside anonymous unions are listed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('C spelling of types', () => {
  const btf = Btf.vmlinux()!;
  const p = (fn: string, i: number) => btf.typeName(btf.findFunc(fn)!.params[i].type);
  assert.is(p('tcp_sendmsg', 0), 'struct sock *');
  assert.is(p('do_sys_open', 1), 'const char *');
  assert.is(btf.typeName(0), 'void');
  assert.is(btf.typeName(btf.findFunc('schedule')!.ret), 'void');
});

test('a blob that is not BTF, or is cut short, is refused with a BtfFormatError', () => {
  assert.throws(() => new Btf(Buffer.from('not btf at all, definitely not')), (e: unknown) => e instanceof BtfFormatError && /magic/.test((e as Error).message));
  const whole = readFileSync(VMLINUX);
  const cut = Buffer.from(whole.subarray(0, 4096));
  assert.throws(() => new Btf(cut), (e: unknown) => e instanceof BtfFormatError);
  const lying = Buffer.from(whole.subarray(0, 1 << 20));
  // Same header, type section ending inside a record: the walk must notice.
  lying.writeUInt32LE(lying.readUInt32LE(12) > 1000 ? 1001 : 13, 12);
  lying.writeUInt32LE(0, 16);
  lying.writeUInt32LE(0, 20);
  assert.throws(() => new Btf(lying), (e: unknown) => e instanceof BtfFormatError);
  assert.throws(() => Btf.vmlinux()!.type(Btf.vmlinux()!.endId), (e: unknown) => e instanceof BtfFormatError);
});

test.run();
