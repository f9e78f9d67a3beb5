// Value formats and aggregation printing through their modules' contracts (src/functions
// formats registry, AggregateDef), without root or a kernel: values decode against a fake
// HostLookup, so the stack, symbol and id formats print what the host answers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aggregates, formats, type HostLookup } from '../../src/functions';
import { decodeValue } from '../../runtime/format/decode';
import { formatKeyPart, formatValue } from '../../runtime/format/values';
import { jsonValue } from '../../runtime/format/json';
import { formatMap } from '../../runtime/format/maps';
import type { StringType, Type } from '../../common/types';
import { typeName } from '../../src/type-name';
import { map } from './map-data';

const host: HostLookup = {
  stackFrames: (depth, id) => (id === 7 ? [0x10n, 0x20n].slice(0, depth) : null),
  kernelSymbol: (addr, off) => `k${addr.toString(16)}${off ? '+1' : ''}`,
  userSymbol: (addr, pid, off, obj) => `u${addr.toString(16)}@${pid}${off ? '+2' : ''}${obj ? ' (/bin/x)' : ''}`,
  username: (uid) => `user${uid}`,
  strerror: (e) => `error ${e}`,
  cgroupPath: (id, filter) => `unified:/${id}(${filter})`,
  wallClockAtBoot: () => 0n,
};

const str = (format: string, size = 8, extra: Partial<StringType> = {}): StringType => ({ kind: 'string', size, format, ...extra });
const u64At = (...vs: bigint[]) => {
  const b = Buffer.alloc(vs.length * 8);
  vs.forEach((v, i) => b.writeBigUInt64LE(v, i * 8));
  return new DataView(b.buffer, b.byteOffset, b.length);
};

test('every format is registered under its own name and says how printf sees it', () => {
  for (const [name, f] of formats) {
    assert.is(f.name, name);
    assert.ok(['string', 'buffer', 'array', 'record'].includes(f.printf), name);
  }
});

test('formats that need the live system ask the host', () => {
  const stack = str('kstack', 8, { stack: { mode: 'bpftrace', depth: 127 } });
  const id = u64At(7n);
  assert.is(decodeValue(stack, id, 0, host), '\n        k10+1\n        k20+1\n');
  assert.is(formatKeyPart(stack, decodeValue(stack, id, 0, host, true)), '\n    k10+1\n    k20+1\n');
  const perf = str('ustack', 8, { stack: { mode: 'perf', depth: 1 } });
  assert.is(decodeValue(perf, u64At(7n | (42n << 32n)), 0, host), '\n\t10 u10@42+2 (/bin/x)\n');
  assert.is(decodeValue(stack, u64At(3n), 0, host), '');
  assert.is(decodeValue(str('ksym'), u64At(0xabn), 0, host), 'kab');
  assert.is(decodeValue(str('usym', 16), u64At(0xabn, 9n), 0, host), 'uab@9');
  assert.is(decodeValue(str('username'), u64At(5n), 0, host), 'user5');
  assert.is(decodeValue(str('strerror'), u64At(2n), 0, host), 'error 2');
  assert.is(decodeValue(str('cgroup_path', 8, { pattern: 'uni*' }), u64At(9n), 0, host), 'unified:/9(uni*)');
});

test('text, key and JSON come from the format', () => {
  const bytes = str('bytes', 5);
  const view = new DataView(Uint8Array.from([1, 255, 3, 4, 0]).buffer);
  assert.is(decodeValue(bytes, view, 0, host), '[1,255,3,4]');
  assert.is(decodeValue(bytes, view, 0, host, true), '[1,-1,3,4]');
  assert.is(jsonValue(bytes, '[1,255,3,4]'), '[1,255,3,4]');
  const buf = str('buffer', 4);
  assert.is(formatValue(buf, 'a\x01'), 'a\\x01');
  assert.is(jsonValue(buf, 'a\x01'), '"a\\\\x01"');
  assert.is(jsonValue(str('inet', 20), '1.2.3.4'), '"1.2.3.4"');
  assert.is(jsonValue(str('strerror'), 'No such file'), 'No such file');
});

test('type names come from the format and the aggregation', () => {
  assert.is(typeName(str('kstack', 8, { stack: { mode: 'bpftrace', depth: 127 } })), 'kstack');
  assert.is(typeName(str('inet', 20)), 'string[20]');
  assert.is(typeName({ kind: 'agg', agg: 'lhist', signed: true, min: 0n, max: 10n, step: 2n }), 'lhist(0, 10, 2)');
  assert.is(typeName({ kind: 'agg', agg: 'count', signed: false }), 'count_t');
});

test('every aggregation prints through its module', () => {
  const value: Record<string, unknown> = { count: 3n, sum: 3n, min: 3n, max: 3n, avg: { count: 1n, total: 3n }, stats: { count: 1n, total: 3n } };
  for (const [name, a] of aggregates) {
    assert.is(a.name, name);
    assert.ok(['map', 'stats', 'hist', 'tseries'].includes(a.jsonKind), name);
    if (!(name in value)) continue;
    const t: Type = { kind: 'agg', agg: name, signed: true };
    const text = formatMap(map('@m', null, t, [[null, value[name] as bigint]]));
    assert.ok(text.startsWith(`@m: ${a.text(value[name] as bigint, t, 1n)}\n`), name);
  }
});

test.run();
