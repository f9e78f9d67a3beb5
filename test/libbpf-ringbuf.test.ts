// The JS ring buffer consumer against a real kernel producer: a raw socket-filter program that
// writes bpf_ktime_get_ns() into the ring with bpf_ringbuf_output, run N times in the kernel
// through BPF_PROG_TEST_RUN. Order, bounds, epoll readiness, throwing handlers, lifetimes, speed.

import { test } from 'uvu';
import { readFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import {
  BpfMap, HandleStateError, Insn, LibbpfError, MapType, ProgType, RawProgram, RingBuffer, assemble,
} from '../runtime/libbpf';
import { BpfHelper } from '../common/kernel/bpf-helpers';

const BPF_RB_NO_WAKEUP = 1;
const RING_SIZE = 4 << 20;

function producer(ringFd: number, flags: number): RawProgram {
  return RawProgram.load({
    type: ProgType.SOCKET_FILTER,
    name: 'rb_producer',
    insns: assemble(
      Insn.call(BpfHelper.KTIME_GET_NS),
      Insn.stxDw(10, -8, 0),
      Insn.ldMapFd(1, ringFd),
      Insn.movReg(2, 10),
      Insn.addImm(2, -8),
      Insn.movImm(3, 8),
      Insn.movImm(4, flags),
      Insn.call(BpfHelper.RINGBUF_OUTPUT),
      Insn.movImm(0, 0),
      Insn.exit(),
    ),
  });
}

// skb test runs need at least an Ethernet header of input
const packet = Buffer.alloc(64);

interface Fixture { map: BpfMap; ring: RingBuffer; prog: RawProgram; produce(n: number): void; close(): void }

function fixture(flags = BPF_RB_NO_WAKEUP): Fixture {
  const map = BpfMap.create({ type: MapType.RINGBUF, name: 't_ring', keySize: 0, valueSize: 0, maxEntries: RING_SIZE });
  const ring = new RingBuffer(map);
  const prog = producer(map.fd, flags);
  return {
    map, ring, prog,
    produce: (n) => { prog.testRun({ data: packet, repeat: n }); },
    close: () => { prog.close(); ring.close(); map.close(); },
  };
}

test('records arrive complete and in order', () => {
  const f = fixture();
  try {
    f.produce(1000);
    assert.is(f.ring.pending(), 1000 * 16);
    let last = 0n;
    let n = 0;
    const got = f.ring.consume((view, off, len) => {
      assert.is(len, 8);
      const ts = view.getBigUint64(off, true);
      assert.ok(ts >= last, 'timestamps never go back');
      last = ts;
      n++;
    }, 100000);
    assert.is(got, 1000);
    assert.is(n, 1000);
    assert.is(f.ring.pending(), 0);
    assert.is(f.ring.consume(() => assert.unreachable()), 0);
  } finally {
    f.close();
  }
});

test('consume is bounded by maxRecords and resumes where it stopped', () => {
  const f = fixture();
  try {
    f.produce(1000);
    const seen: bigint[] = [];
    const h = (v: DataView, off: number) => { seen.push(v.getBigUint64(off, true)); };
    assert.is(f.ring.consume(h, 100), 100);
    assert.ok(f.ring.pending() > 0);
    assert.is(f.ring.consume(h, 850), 850);
    assert.is(f.ring.consume(h, 100), 50);
    assert.is(seen.length, 1000);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! >= seen[i - 1]!);
  } finally {
    f.close();
  }
});

test('records wrap around the end of the ring intact', () => {
  const f = fixture();
  try {
    // 16 bytes a record: 3 rounds of 200k records go round the 4 MiB ring twice
    let total = 0;
    let last = 0n;
    for (let round = 0; round < 3; round++) {
      f.produce(200000);
      total += f.ring.consume((v, off, len) => {
        assert.is(len, 8);
        const ts = v.getBigUint64(off, true);
        if (ts < last) throw new Error('out of order');
        last = ts;
      }, 1 << 30);
    }
    assert.is(total, 600000);
  } finally {
    f.close();
  }
});

test('a record split by the end of the ring arrives whole', () => {
  // 40-byte records (48 with the header) in a 16 KiB ring: 48 does not divide the ring, so
  // records straddle its end, and the reader (which maps the data area once) joins the two parts.
  const map = BpfMap.create({ type: MapType.RINGBUF, name: 't_ring_wrap', keySize: 0, valueSize: 0, maxEntries: 16384 });
  const ring = new RingBuffer(map);
  const stores = [-40, -32, -24, -16, -8].map((off) => Insn.stxDw(10, off, 0));
  const prog = RawProgram.load({
    type: ProgType.SOCKET_FILTER,
    name: 'rb_wide',
    insns: assemble(
      Insn.call(BpfHelper.KTIME_GET_NS),
      ...stores,
      Insn.ldMapFd(1, map.fd),
      Insn.movReg(2, 10),
      Insn.addImm(2, -40),
      Insn.movImm(3, 40),
      Insn.movImm(4, BPF_RB_NO_WAKEUP),
      Insn.call(BpfHelper.RINGBUF_OUTPUT),
      Insn.movImm(0, 0),
      Insn.exit(),
    ),
  });
  try {
    let total = 0;
    let split = 0;
    let last = 0n;
    for (let round = 0; round < 40; round++) {
      prog.testRun({ data: packet, repeat: 100 });
      total += ring.consume((v, off, len) => {
        assert.is(len, 40);
        if (off === 0) split++;
        const ts = v.getBigUint64(off, true);
        for (let i = 8; i < 40; i += 8) assert.is(v.getBigUint64(off + i, true), ts);
        if (ts < last) throw new Error('out of order');
        last = ts;
      }, 1 << 30);
    }
    assert.is(total, 4000);
    assert.ok(split > 0, 'no record straddled the end of the ring');
  } finally {
    prog.close();
    ring.close();
    map.close();
  }
});

/** Sizes of this process's mappings of ring data (the producer page and the data area after it). */
const ringMappings = (): number[] =>
  readFileSync('/proc/self/maps', 'utf8').split('\n').filter((l) => /^\S+ r--s 00001000 .*anon_inode:bpf-map$/.test(l)).map((l) => {
    const [from, to] = l.split(' ')[0].split('-');
    return parseInt(to, 16) - parseInt(from, 16);
  });

test('only the first 64 KiB of the data area are mapped until the producer writes past them', () => {
  // The kernel makes a ring mapping resident at mmap: a short run must not pay for the whole ring.
  const f = fixture();
  try {
    f.produce(100);
    const page = ringMappings()[0] - 65536;
    assert.equal(ringMappings(), [page + 65536]);
    assert.is(f.ring.consume(() => {}, 1 << 30), 100);
    f.produce(5000); // 80000 bytes in all: past the first window
    let n = 0;
    let last = 0n;
    f.ring.consume((v, off, len) => {
      assert.is(len, 8);
      const ts = v.getBigUint64(off, true);
      if (ts < last) throw new Error('out of order');
      last = ts;
      n++;
    }, 1 << 30);
    assert.is(n, 5000);
    assert.equal(ringMappings(), [page + RING_SIZE]);
  } finally {
    f.close();
  }
  assert.equal(ringMappings(), []);
});

test('epoll fd becomes ready on a waking submit and clears when drained', () => {
  const f = fixture(0);
  try {
    assert.ok(f.ring.epollFd > 0);
    assert.is(f.ring.poll(0), false);
    f.produce(10);
    assert.is(f.ring.poll(0), true);
    assert.is(f.ring.consume(() => {}), 10);
    assert.is(f.ring.poll(0), false);
  } finally {
    f.close();
  }
});

test('waitReadable: a waking submit into an empty ring ends the wait; interruptWait ends one early', async () => {
  const f = fixture(0);
  try {
    let woke = 0;
    const wait = () => new Promise<void>((resolve) => f.ring.waitReadable(() => { woke++; resolve(); }));
    // A record arriving after the wait began (the producer runs on this thread, so it is after).
    const first = wait();
    setTimeout(() => f.produce(3), 50);
    await first;
    assert.is(woke, 1);
    assert.is(f.ring.consume(() => {}), 3);
    // Nothing pending: only interruptWait ends it, and the next wait sleeps again.
    const second = wait();
    setTimeout(() => f.ring.interruptWait(), 50);
    await second;
    assert.is(woke, 2);
    assert.is(f.ring.pending(), 0);
    const third = wait();
    f.produce(1);
    await third;
    assert.is(woke, 3);
  } finally {
    f.close();
  }
});

test('closing a ring buffer while a wait is pending ends the wait without calling back', async () => {
  const f = fixture(0);
  let called = false;
  f.ring.waitReadable(() => (called = true));
  f.close();
  // The worker thread returns once interrupted; Node's loop would hang here otherwise.
  await new Promise((r) => setTimeout(r, 100));
  assert.is(called, false);
  assert.ok(f.ring.closed);
});

test('a throwing handler: the error surfaces, that record is consumed, the rest stay', () => {
  const f = fixture();
  try {
    f.produce(10);
    let calls = 0;
    assert.throws(() => f.ring.consume(() => { if (++calls === 3) throw new Error('boom'); }), /boom/);
    assert.is(calls, 3);
    assert.is(f.ring.consume(() => {}), 7);
  } finally {
    f.close();
  }
});

test('ring buffer on a non-ringbuf map is refused', () => {
  const m = BpfMap.create({ type: MapType.HASH, keySize: 4, valueSize: 4, maxEntries: 4 });
  try {
    assert.throws(() => new RingBuffer(m), (e: unknown) => e instanceof LibbpfError && /not a ring buffer/.test(e.message));
  } finally {
    m.close();
  }
});

test('closing the map closes its ring buffer; closed handles refuse use', () => {
  const f = fixture();
  f.prog.close();
  f.map.close();
  assert.ok(f.ring.closed);
  assert.throws(() => f.ring.consume(() => {}), (e: unknown) => e instanceof HandleStateError && /ring buffer t_ring is closed/.test(e.message));
  assert.throws(() => f.ring.epollFd, (e: unknown) => e instanceof HandleStateError);
  assert.throws(() => f.prog.testRun({ data: packet }), (e: unknown) => e instanceof HandleStateError);
  f.ring.close();
  f.close();
});

test('throughput: records delivered to a JS handler per second', () => {
  const f = fixture();
  try {
    const perRound = 200000;
    const rounds = 5;
    let consumed = 0;
    let sum = 0n;
    let ns = 0n;
    for (let r = 0; r < rounds; r++) {
      f.produce(perRound);
      const t0 = process.hrtime.bigint();
      consumed += f.ring.consume((v, off) => { sum += v.getBigUint64(off, true) & 1n; }, 1 << 30);
      ns += process.hrtime.bigint() - t0;
    }
    assert.is(consumed, perRound * rounds);
    const rate = consumed / (Number(ns) / 1e9);
    console.log(`    ring buffer: ${consumed} records consumed in ${(Number(ns) / 1e6).toFixed(1)} ms = ${(rate / 1e6).toFixed(2)}M records/s (${(Number(ns) / consumed).toFixed(1)} ns/record)`);
    assert.ok(rate > 1e6, `expected over 1M records/s, got ${rate.toFixed(0)}`);
  } finally {
    f.close();
  }
});

test.run();
