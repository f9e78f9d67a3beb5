// Maps made with bpf_map_create: element operations, iteration, batch reads (and their fallback),
// per-CPU value sizes, size checks, closed handles.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BpfMap, HandleStateError, LibbpfError, MapType, UpdateFlags, numPossibleCpus,
} from '../runtime/libbpf';

const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const u64 = (n: number | bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };

function withMap<T>(o: Parameters<typeof BpfMap.create>[0], fn: (m: BpfMap) => T): T {
  const m = BpfMap.create(o);
  try { return fn(m); } finally { m.close(); }
}

test('hash map: update, lookup, delete, flags', () => {
  withMap({ type: MapType.HASH, name: 't_hash', keySize: 4, valueSize: 8, maxEntries: 16 }, (m) => {
    assert.is(m.name, 't_hash');
    assert.is(m.type, MapType.HASH);
    assert.is(m.keySize, 4);
    assert.is(m.valueSize, 8);
    assert.is(m.maxEntries, 16);
    assert.ok(m.fd > 0);
    assert.not.ok(m.isPerCpu);
    const v = Buffer.alloc(8);
    assert.is(m.lookup(u32(1), v), false);
    m.update(u32(1), u64(42));
    assert.is(m.lookup(u32(1), v), true);
    assert.is(v.readBigUInt64LE(), 42n);
    // NOEXIST on an existing key is EEXIST, a typed error
    try {
      m.update(u32(1), u64(7), UpdateFlags.NOEXIST);
      assert.unreachable('NOEXIST update of an existing key succeeded');
    } catch (e) {
      assert.instance(e, LibbpfError);
      assert.is((e as LibbpfError).code, 'EEXIST');
      assert.is((e as LibbpfError).errno, 17);
      assert.match((e as LibbpfError).message, /bpf_map_update_elem\(t_hash\)/);
    }
    m.update(u32(1), u64(43), UpdateFlags.EXIST);
    m.lookup(u32(1), v);
    assert.is(v.readBigUInt64LE(), 43n);
    assert.is(m.delete(u32(1)), true);
    assert.is(m.delete(u32(1)), false);
    assert.is(m.lookup(u32(1), v), false);
  });
});

test('hash map full: E2BIG is reported, not silent', () => {
  withMap({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 2 }, (m) => {
    m.update(u32(1), u64(1));
    m.update(u32(2), u64(2));
    assert.throws(() => m.update(u32(3), u64(3)), (e: unknown) => e instanceof LibbpfError && e.code === 'E2BIG');
  });
});

test('buffers too small for key or value are refused before the kernel writes past them', () => {
  withMap({ type: MapType.HASH, keySize: 8, valueSize: 16, maxEntries: 4 }, (m) => {
    assert.throws(() => m.lookup(Buffer.alloc(4), Buffer.alloc(16)), (e: unknown) => e instanceof LibbpfError && e.code === 'EINVAL' && /key buffer is 4 bytes/.test(e.message));
    assert.throws(() => m.lookup(Buffer.alloc(8), Buffer.alloc(8)), (e: unknown) => e instanceof LibbpfError && /value buffer is 8 bytes, the map needs 16/.test(e.message));
    assert.throws(() => m.update(Buffer.alloc(8), Buffer.alloc(1)), (e: unknown) => e instanceof LibbpfError);
  });
});

test('nextKey walks every key once', () => {
  withMap({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 64 }, (m) => {
    for (let i = 0; i < 50; i++) m.update(u32(i), u64(i * 10));
    const seen = new Set<number>();
    const cur = Buffer.alloc(4);
    const next = Buffer.alloc(4);
    let prev: Buffer | null = null;
    while (m.nextKey(prev, next)) {
      seen.add(next.readUInt32LE());
      next.copy(cur);
      prev = cur;
    }
    assert.is(seen.size, 50);
  });
});

function fillHash(m: BpfMap, n: number): void {
  for (let i = 0; i < n; i++) m.update(u32(i), u64(BigInt(i) * 3n + 1n));
}

function checkPairs(keys: Buffer, values: Buffer, count: number, n: number): void {
  const got = new Map<number, bigint>();
  for (let i = 0; i < count; i++) got.set(keys.readUInt32LE(i * 4), values.readBigUInt64LE(i * 8));
  assert.is(got.size, n, 'distinct keys');
  for (let i = 0; i < n; i++) assert.is(got.get(i), BigInt(i) * 3n + 1n, `value of key ${i}`);
}

test('lookupBatch reads a 5000-entry hash in full (batch and next-key give the same)', () => {
  withMap({ type: MapType.HASH, name: 't_batch', keySize: 4, valueSize: 8, maxEntries: 8192 }, (m) => {
    fillHash(m, 5000);
    for (const strategy of ['batch', 'next-key', 'auto'] as const) {
      const keys = Buffer.alloc(8192 * 4);
      const values = Buffer.alloc(8192 * 8);
      const n = m.lookupBatch(keys, values, strategy);
      assert.is(n, 5000, strategy);
      checkPairs(keys, values, n, 5000);
    }
  });
});

test('lookupBatch stops when the buffers are full', () => {
  withMap({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 1024 }, (m) => {
    fillHash(m, 300);
    const n = m.lookupBatch(Buffer.alloc(100 * 4), Buffer.alloc(100 * 8));
    assert.ok(n > 0 && n <= 100, `got ${n}`);
  });
});

test('lookupBatch on an empty map returns 0', () => {
  withMap({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 8 }, (m) => {
    assert.is(m.lookupBatch(Buffer.alloc(32), Buffer.alloc(64)), 0);
    assert.equal([...m.entries()], []);
  });
});

test('entries() iterates in chunks, including when a chunk is smaller than the map', () => {
  withMap({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4096 }, (m) => {
    fillHash(m, 3000);
    for (const chunk of [1, 7, 1024]) {
      const got = new Map<number, bigint>();
      for (const { key, value } of m.entries('auto', chunk)) got.set(key.readUInt32LE(), value.readBigUInt64LE());
      assert.is(got.size, 3000, `chunk ${chunk}`);
      assert.is(got.get(2999), 2999n * 3n + 1n);
    }
  });
});

test('array map: batch read returns every slot', () => {
  withMap({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 100 }, (m) => {
    for (let i = 0; i < 100; i++) m.update(u32(i), u64(i + 1000));
    const keys = Buffer.alloc(100 * 4);
    const values = Buffer.alloc(100 * 8);
    assert.is(m.lookupBatch(keys, values), 100);
    for (let i = 0; i < 100; i++) assert.is(values.readBigUInt64LE(i * 8), BigInt(keys.readUInt32LE(i * 4) + 1000));
  });
});

test('a map type without batch support (devmap_hash) falls back to get_next_key', () => {
  // value: an ifindex; 1 is the loopback device, which every network namespace has
  withMap({ type: MapType.DEVMAP_HASH, keySize: 4, valueSize: 4, maxEntries: 64 }, (m) => {
    for (let i = 0; i < 20; i++) m.update(u32(i * 7), u32(1));
    assert.throws(() => m.lookupBatch(Buffer.alloc(64 * 4), Buffer.alloc(64 * 4), 'batch'),
      (e: unknown) => e instanceof LibbpfError && e.code === 'ENOTSUPP' && /not supported/.test(e.message));
    const keys = Buffer.alloc(64 * 4);
    const values = Buffer.alloc(64 * 4);
    const n = m.lookupBatch(keys, values);
    assert.is(n, 20);
    const got = new Set<number>();
    for (let i = 0; i < n; i++) { got.add(keys.readUInt32LE(i * 4)); assert.is(values.readUInt32LE(i * 4), 1); }
    assert.is(got.size, 20);
    assert.ok(got.has(19 * 7));
    assert.is([...m.entries('auto', 3)].length, 20);
  });
});

test('per-CPU hash: values are roundup(valueSize, 8) per possible CPU', () => {
  const ncpu = numPossibleCpus();
  assert.ok(ncpu >= 1);
  withMap({ type: MapType.PERCPU_HASH, keySize: 4, valueSize: 4, maxEntries: 8 }, (m) => {
    assert.ok(m.isPerCpu);
    assert.is(m.lookupValueSize, 8 * ncpu);
    const v = Buffer.alloc(8 * ncpu);
    for (let c = 0; c < ncpu; c++) v.writeUInt32LE(100 + c, c * 8);
    m.update(u32(5), v);
    const out = Buffer.alloc(8 * ncpu);
    assert.ok(m.lookup(u32(5), out));
    for (let c = 0; c < ncpu; c++) assert.is(out.readUInt32LE(c * 8), 100 + c);
    // a buffer sized for one CPU would be overrun by the kernel
    if (ncpu > 1) assert.throws(() => m.lookup(u32(5), Buffer.alloc(8)), /per-CPU/);
    const [entry] = [...m.entries()];
    assert.is(entry!.value.length, 8 * ncpu);
    assert.is(entry!.value.readUInt32LE(0), 100);
  });
});

test('a closed map refuses use with HandleStateError; close is idempotent', () => {
  const m = BpfMap.create({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4 });
  m.update(u32(1), u64(1));
  m.close();
  m.close();
  assert.ok(m.closed);
  for (const f of [() => m.fd, () => m.lookup(u32(1), Buffer.alloc(8)), () => m.update(u32(1), u64(1)), () => m.delete(u32(1)), () => [...m.entries()]]) {
    assert.throws(f, (e: unknown) => e instanceof HandleStateError && e.code === 'EBADF' && /is closed/.test(e.message));
  }
});

test('bpf_map_create failure is a typed error', () => {
  assert.throws(
    () => BpfMap.create({ type: MapType.HASH, name: 'bad', keySize: 0, valueSize: 8, maxEntries: 4 }),
    (e: unknown) => e instanceof LibbpfError && e.code === 'EINVAL' && /bpf_map_create\(bad\)/.test(e.message),
  );
});

test.run();
