// A BPF ring buffer consumer that reads the mmapped ring from JS, following the protocol of
// libbpf's ringbuf.c, with no FFI call per record. The prototype measured 3.4M events/s this way;
// libbpf's ring_buffer__consume with a koffi callback costs far more per record, cannot be bounded
// (README trap 4) and loses records when a callback throws (trap 3).
//
// Layout (kernel/bpf/ringbuf.c): page 0 holds the consumer position (user-writable); page 1 the
// producer position; the data area follows. The kernel maps the data area twice back to back, so
// a record that wraps is contiguous there; this reader maps it once and copies the rare record
// that wraps: the kernel fills every page of a ring mapping at mmap time, so each mapping of the
// default 4 MiB ring is 4 MiB of resident memory. For the same reason only the first 64 KiB are
// mapped until the producer has written past them: a short run never maps the rest. Each record has an 8-byte header (never split
// by the end: records are 8-byte aligned and the area a multiple of pages): u32 length with
// BUSY/DISCARD bits, u32 page offset. Positions are 64-bit byte counters that only grow.

import { constants as osConstants } from 'node:os';
import { ffi, type RawPtr } from './ffi';
import { LibbpfError, invalidArgument } from './errors';
import { Lifetime, type Closeable } from './lifetime';
import type { BpfMap } from './map';
import { MapType } from './map-types';

const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 1;
const MAP_FAILED = 0xffffffffffffffffn;
const EPOLL_CLOEXEC = 0o2000000;
const EPOLL_CTL_ADD = 1;
const EPOLLIN = 1;
const EFD_NONBLOCK = 0o4000;
const EFD_CLOEXEC = 0o2000000;
const RINGBUF_BUSY_BIT = 0x80000000;
const RINGBUF_DISCARD_BIT = 0x40000000;
const RINGBUF_HDR_SZ = 8;
// Publishing the consumer position now and then lets the producer reuse space mid-drain.
const PUBLISH_EVERY = 1024;
const FAILED_WAIT_RETRY_MS = 100;
/** The data area mapped until the producer passes it (positions start at 0 and only grow). */
const FIRST_WINDOW = 64 * 1024;
/**
 * Signals blocked while a worker-pool thread waits on the ring. Node's pool threads leave signals
 * unblocked, so a process-directed signal (SIGINT, SIGCHLD of a system() command) could otherwise
 * land on the waiting thread and end its wait with EINTR; blocked there, the kernel delivers it to
 * a thread that takes it. glibc's own two (32: thread cancellation, 33: set*id broadcast) stay
 * open: a blocked set*id signal would hang a set*id call of another thread.
 */
const WAIT_SIGMASK = (() => {
  const m = Buffer.alloc(128, 0xff); // glibc's sigset_t; the kernel reads the first 8 bytes
  m.writeBigUInt64LE(0xffffffffffffffffn & ~((1n << 31n) | (1n << 32n)), 0); // signal N is bit N-1
  return m;
})();

/** Called once per committed record. The payload is view[offset .. offset+length); the view is only
 * valid during the call (the kernel reuses the space once the record is consumed). Returning true
 * ends the consume() after this record. */
export type RecordHandler = (view: DataView, offset: number, length: number) => boolean | void;

export class RingBuffer implements Closeable {
  readonly #life: Lifetime;
  readonly #owner: Lifetime | undefined;
  readonly #size: number;
  readonly #page: number;
  #consPtr: RawPtr | null = null;
  #prodPtr: RawPtr | null = null;
  #epfd = -1;
  /** An eventfd in the epoll set: writing to it ends a wait early (interruptWait). */
  #wakeFd = -1;
  #waiting = false;
  #interrupted = false;
  /** Written by the worker thread during a wait; nothing on the main thread reads it. */
  readonly #waitEvents = Buffer.alloc(16);
  readonly #cons: BigUint64Array;
  #prod!: BigUint64Array;
  #hdr!: Uint32Array;
  #view!: DataView;
  readonly #mapFd: number;
  /** Bytes of the data area mapped: FIRST_WINDOW (or less of a smaller ring), then all of it. */
  #mapped = 0;
  readonly #events = Buffer.alloc(16);
  /** Where a record that wraps past the end is made contiguous; grown on demand. */
  #wrapped = new DataView(new ArrayBuffer(0));

  readonly name: string;

  /**
   * Maps the ring of a BPF_MAP_TYPE_RINGBUF map; closing the map (or its object) closes this too.
   * A raw fd needs the ring's size: the map's max_entries, a power-of-two multiple of the page size.
   */
  constructor(source: BpfMap | { fd: number; size: number; name?: string }) {
    let mapFd: number;
    let size: number;
    let owner: Lifetime | undefined;
    if ('lifetime' in source) {
      const op = `ring_buffer(${source.name})`;
      source.lifetime.assertOpen(op);
      if (source.type !== MapType.RINGBUF) throw invalidArgument(op, `map type ${source.type} is not a ring buffer`);
      mapFd = source.fd;
      size = source.maxEntries;
      owner = source.lifetime;
      this.name = source.name;
    } else {
      mapFd = source.fd;
      size = source.size;
      this.name = source.name ?? `fd ${mapFd}`;
    }
    const name = this.name;
    const { koffi, libc } = ffi();
    const page = libc.getpagesize();
    if (size <= 0 || size % page !== 0 || (size & (size - 1)) !== 0) {
      throw invalidArgument(`ring_buffer(${name})`, `size ${size} is not a power-of-two multiple of the page size`);
    }
    this.#size = size;
    this.#page = page;
    this.#mapFd = mapFd;
    this.#life = new Lifetime(`ring buffer ${name}`);
    try {
      const cons = libc.mmap(null, page, PROT_READ | PROT_WRITE, MAP_SHARED, mapFd, 0);
      if (cons === MAP_FAILED) throw new LibbpfError(`mmap(ring buffer ${name} consumer page)`, ffi().errno());
      this.#consPtr = cons;
      this.#mapData(Math.min(size, FIRST_WINDOW));
      this.#epfd = libc.epoll_create1(EPOLL_CLOEXEC);
      if (this.#epfd < 0) throw new LibbpfError('epoll_create1', ffi().errno());
      const ev = Buffer.alloc(16);
      ev.writeUInt32LE(EPOLLIN, 0);
      if (libc.epoll_ctl(this.#epfd, EPOLL_CTL_ADD, mapFd, ev) < 0) throw new LibbpfError(`epoll_ctl(ring buffer ${name})`, ffi().errno());
      this.#wakeFd = libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      if (this.#wakeFd < 0) throw new LibbpfError('eventfd', ffi().errno());
      if (libc.epoll_ctl(this.#epfd, EPOLL_CTL_ADD, this.#wakeFd, ev) < 0) throw new LibbpfError('epoll_ctl(eventfd)', ffi().errno());
    } catch (e) {
      this.#unmap();
      throw e;
    }
    this.#cons = new BigUint64Array(koffi.view(this.#consPtr, page), 0, 1);
    this.#owner = owner;
    owner?.adopt(this);
  }

  get size(): number {
    return this.#size;
  }

  /** Maps the producer page and the first `bytes` of the data area, in place of what was mapped. */
  #mapData(bytes: number): void {
    const { koffi, libc } = ffi();
    const page = this.#page;
    const prod = libc.mmap(null, page + bytes, PROT_READ, MAP_SHARED, this.#mapFd, page);
    if (prod === MAP_FAILED) throw new LibbpfError(`mmap(ring buffer ${this.name} data)`, ffi().errno());
    if (this.#prodPtr !== null) libc.munmap(this.#prodPtr, page + this.#mapped);
    this.#prodPtr = prod;
    this.#mapped = bytes;
    const data = koffi.view(prod, page + bytes);
    this.#prod = new BigUint64Array(data, 0, 1);
    this.#hdr = new Uint32Array(data, page, bytes / 4);
    this.#view = new DataView(data, page, bytes);
  }

  get closed(): boolean {
    return this.#life.closed;
  }

  /** Becomes readable when the producer wakes consumers (submit without BPF_RB_NO_WAKEUP). */
  get epollFd(): number {
    this.#life.assertOpen(`ring_buffer__epoll_fd(${this.name})`);
    return this.#epfd;
  }

  /** Bytes written by the producer and not consumed yet (including records still being written). */
  pending(): number {
    this.#life.assertOpen(`ring_buffer(${this.name})`);
    return Number(Atomics.load(this.#prod, 0) - Atomics.load(this.#cons, 0));
  }

  /** epoll_wait on the ring. Keep timeoutMs at 0 on the main thread: a blocking wait there holds
   * back signals and timers (README trap 4). */
  poll(timeoutMs = 0): boolean {
    this.#life.assertOpen(`ring_buffer__poll(${this.name})`);
    const n = ffi().libc.epoll_wait(this.#epfd, this.#events, 1, timeoutMs);
    if (n < 0) {
      const errno = ffi().errno();
      if (errno === osConstants.errno.EINTR) return false;
      throw new LibbpfError(`epoll_wait(ring buffer ${this.name})`, errno);
    }
    return n > 0;
  }

  /**
   * Calls `done` once, on the main thread, when the ring has records to consume or interruptWait()
   * was called; the wait itself blocks a thread of Node's worker pool, so an idle reader costs no
   * CPU and no wakeups. The kernel reports the ring readable while it holds data, but re-checks only
   * when a producer wakes the ring: a record submitted with the default flags does that when it is
   * the first one after the reader caught up, BPF_RB_NO_WAKEUP never. So wait only after a consume()
   * found the ring empty, or after a waking submit.
   */
  waitReadable(done: () => void): void {
    this.#life.assertOpen(`ring_buffer__poll(${this.name})`);
    if (this.#waiting) throw new Error(`internal: ring buffer ${this.name} is already being waited on`);
    this.#waiting = true;
    ffi().libc.epoll_pwait_async(this.#epfd, this.#waitEvents, 1, -1, WAIT_SIGMASK, (err, n) => {
      this.#waiting = false;
      // The fds stay open until the wait has returned: close() leaves them to this callback.
      if (this.#life.closed) return this.#closeFds();
      if (this.#interrupted) {
        this.#interrupted = false;
        ffi().libc.read(this.#wakeFd, Buffer.alloc(8), 8);
      }
      // A failed wait (not expected: signals are blocked during it, so no EINTR) calls back a
      // little later, so that a caller which simply waits again cannot spin.
      if (err || n < 0) setTimeout(done, FAILED_WAIT_RETRY_MS);
      else done();
    });
  }

  /** Ends a pending waitReadable() now; its callback still runs. No effect without one. */
  interruptWait(): void {
    if (!this.#waiting || this.#interrupted || this.#wakeFd < 0) return;
    this.#interrupted = true;
    const one = Buffer.alloc(8);
    one.writeBigUInt64LE(1n);
    ffi().libc.write(this.#wakeFd, one, 8);
  }

  /**
   * Hands committed records to handler in order, at most maxRecords per call (or until the handler
   * returns true) so that one busy producer cannot starve timers and signal handlers. Returns the number handled. Records the
   * producer discarded are skipped without a call. If handler throws, the record it threw on
   * counts as consumed (so it cannot throw forever) and the error propagates.
   * With `snapshot`, only records the producer had committed when the call began are handled:
   * a reader faster than the producer then stops instead of chasing it record by record, which
   * bounces the ring's cache lines (producer position, record headers) between the two CPUs on
   * every event.
   */
  consume(handler: RecordHandler, maxRecords = 4096, snapshot = false): number {
    this.#life.assertOpen(`ring_buffer__consume(${this.name})`);
    const size = this.#size;
    const mask = size - 1;
    let hdr = this.#hdr;
    let view = this.#view;
    const consArr = this.#cons;
    let cons = Number(Atomics.load(consArr, 0));
    let n = 0;
    try {
      let first = true;
      outer: while (n < maxRecords) {
        if (snapshot && !first) break;
        first = false;
        const prod = Number(Atomics.load(this.#prod, 0));
        if (cons >= prod) break;
        // Everything read lies below prod: past the first window, the whole area is mapped.
        if (prod > this.#mapped && this.#mapped < size) {
          this.#mapData(size);
          hdr = this.#hdr;
          view = this.#view;
        }
        while (cons < prod) {
          const off = cons & mask;
          const h = Atomics.load(hdr, off >>> 2) >>> 0;
          if (h & RINGBUF_BUSY_BIT) break outer; // reserved but not yet committed: records stay in order
          const len = h & ~(RINGBUF_BUSY_BIT | RINGBUF_DISCARD_BIT);
          const next = cons + ((len + RINGBUF_HDR_SZ + 7) & ~7);
          if (!(h & RINGBUF_DISCARD_BIT)) {
            n++;
            let stop: boolean | void;
            try {
              const at = off + RINGBUF_HDR_SZ;
              stop = at + len <= size ? handler(view, at, len) : handler(this.#joined(at, len), 0, len);
            } finally {
              cons = next;
            }
            if (stop === true) break outer;
          } else {
            cons = next;
          }
          if ((n & (PUBLISH_EVERY - 1)) === 0) Atomics.store(consArr, 0, BigInt(cons));
          if (n >= maxRecords) break outer;
        }
      }
    } finally {
      Atomics.store(consArr, 0, BigInt(cons));
    }
    return n;
  }

  /** The record at `at` (past the header) whose tail wrapped to the start of the data area, in one piece. */
  #joined(at: number, len: number): DataView {
    if (this.#wrapped.byteLength < len) this.#wrapped = new DataView(new ArrayBuffer(Math.max(len, 2 * this.#wrapped.byteLength)));
    const dst = new Uint8Array(this.#wrapped.buffer, 0, len);
    const src = this.#view;
    const head = Math.max(0, this.#size - at);
    dst.set(new Uint8Array(src.buffer, src.byteOffset + Math.min(at, this.#size), head));
    dst.set(new Uint8Array(src.buffer, src.byteOffset, len - head), head);
    return this.#wrapped;
  }

  #closeFds(): void {
    const { libc } = ffi();
    if (this.#epfd >= 0) { libc.close(this.#epfd); this.#epfd = -1; }
    if (this.#wakeFd >= 0) { libc.close(this.#wakeFd); this.#wakeFd = -1; }
  }

  #unmap(): void {
    const { libc } = ffi();
    // A wait in progress still uses the epoll fd on its thread: end it, and let its callback close.
    if (this.#waiting) this.interruptWait();
    else this.#closeFds();
    if (this.#prodPtr !== null) { libc.munmap(this.#prodPtr, this.#page + this.#mapped); this.#prodPtr = null; }
    if (this.#consPtr !== null) { libc.munmap(this.#consPtr, this.#page); this.#consPtr = null; }
  }

  /** Unmaps the ring; the typed arrays over it must not be touched afterwards, hence the checks
   * in every method. Safe to call more than once. */
  close(): void {
    if (!this.#life.end()) return;
    this.#owner?.release(this);
    this.#unmap();
  }
}
