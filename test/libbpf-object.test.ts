// A real BPF object, built in-process with the project's LLVM binding, through the whole libbpf
// path: open, inspect, load, attach (tracepoint, perf event, uprobe/uretprobe), BEGIN by test run,
// exact counts read back, verifier rejection, closing, and nothing of ours left in the kernel.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from './child';
import { existsSync } from 'node:fs';
import { leakedObjects } from './helpers';
import { Builder, Context, DIBuilder, DW_ATE_signed, IntPredicate, Module, Opcode, type Fn, type Val } from '../src/codegen/llvm';
import { BpfMapType, MapDefBuilder } from '../src/codegen/map-defs';
import {
  BpfObject, HandleStateError, LibbpfError, LogLevel, MapType, ProgType, RingBuffer, numPossibleCpus,
  perfEventOpen, setPrintHandler,
} from '../runtime/libbpf';
import { onlineCpus } from '../common/kernel/cpus';

// Unique prefix so the leak check cannot confuse our programs with another suite's.
const P = 'lbt';
const SLOT = { getppid: 0, begin: 1, perf: 2, uprobe: 3 } as const;
const HELPER_MAP_LOOKUP = 1;
const HELPER_PID_TGID = 14;
const HELPER_RINGBUF_OUTPUT = 130;
const BEGIN_MAGIC = 0xbe61;
const LIBC = ['/lib/x86_64-linux-gnu/libc.so.6', '/lib/aarch64-linux-gnu/libc.so.6', '/usr/lib/libc.so.6'].find(existsSync);

/**
 * Programs that count into slots of a per-CPU array `lbt_counts`, only for the tgid stored in the
 * one-entry array `lbt_filter` (0 matches nobody), and optionally one the verifier must reject.
 */
function buildObject(o: { broken?: boolean } = {}): Buffer {
  const c = new Context();
  const m = new Module(c, `${P}.bpf`);
  const di = new DIBuilder(m, `${P}.bt`);
  const b = new Builder(c);
  try {
    const i8p = c.ptr(c.int(8));
    const i32 = c.int(32);
    const i64 = c.int(64);
    const lic = c.constString('GPL');
    m.addGlobal(c.typeOf(lic), 'LICENSE', { init: lic, section: 'license', align: 1 });
    const defs = new MapDefBuilder(m, di);
    const counts = defs.define({ name: `${P}_counts`, type: BpfMapType.PercpuArray, maxEntries: 8, keySize: 4, valueSize: 8 });
    const filter = defs.define({ name: `${P}_filter`, type: BpfMapType.Array, maxEntries: 1, keySize: 4, valueSize: 8 });
    const events = defs.define({ name: `${P}_events`, type: BpfMapType.Ringbuf, maxEntries: 64 * 1024 });
    const fnTy = c.fnType(i32, [i8p]);

    const lookup = (map: Val, slot: number): Val => {
      const k = b.alloca(i32, 'key');
      b.store(c.constInt(i32, slot), k);
      return b.helper(HELPER_MAP_LOOKUP, i8p, [i8p, i8p], [b.bitcast(map, i8p), b.bitcast(k, i8p)]);
    };
    const ifNonNull = (f: Fn, p: Val, then: () => void): void => {
      const yes = b.appendBlock(f, 'yes');
      const done = b.appendBlock(f, 'done');
      b.condBr(b.icmp(IntPredicate.NE, p, c.constNull(i8p)), yes, done);
      b.positionAtEnd(yes);
      then();
      b.br(done);
      b.positionAtEnd(done);
    };
    const bump = (f: Fn, slot: number): void => {
      const v = lookup(counts, slot);
      ifNonNull(f, v, () => {
        const p = b.bitcast(v, c.ptr(i64));
        b.store(b.binop(Opcode.Add, b.load(i64, p), c.constInt(i64, 1)), p);
      });
    };
    const intDI = di.basic('int', 32, DW_ATE_signed);
    const ctxDI = di.pointer(null);
    let line = 1;
    const program = (name: string, section: string, body: (f: Fn) => void, ret = 0): void => {
      const f = m.addFunction(name, fnTy, section);
      // BTF func and line info: the BPF backend needs a subprogram and locations for each program
      const sp = di.function(f, name, line, intDI, [{ name: 'ctx', type: ctxDI }]);
      b.setDebugLocation(di.location(line++, 1, sp));
      b.positionAtEnd(b.appendBlock(f, 'entry'));
      body(f);
      b.ret(c.constInt(i32, ret));
      b.setDebugLocation(null);
      di.finalizeSubprogram(sp);
    };
    const countIfTarget = (slot: number) => (f: Fn): void => {
      const tgid = b.binop(Opcode.LShr, b.helper(HELPER_PID_TGID, i64, [], []), c.constInt(i64, 32));
      const want = lookup(filter, 0);
      ifNonNull(f, want, () => {
        const hit = b.appendBlock(f, 'hit');
        const skip = b.appendBlock(f, 'skip');
        b.condBr(b.icmp(IntPredicate.EQ, tgid, b.load(i64, b.bitcast(want, c.ptr(i64)))), hit, skip);
        b.positionAtEnd(hit);
        bump(f, slot);
        b.br(skip);
        b.positionAtEnd(skip);
      });
    };

    program(`${P}_getppid`, 'tracepoint/syscalls/sys_enter_getppid', countIfTarget(SLOT.getppid));
    program(`${P}_begin`, 'raw_tp', (f) => {
      bump(f, SLOT.begin);
      const rec = b.alloca(i64, 'rec');
      b.store(c.constInt(i64, BEGIN_MAGIC), rec);
      b.helper(HELPER_RINGBUF_OUTPUT, i64, [i8p, i8p, i64, i64],
        [b.bitcast(events, i8p), b.bitcast(rec, i8p), c.constInt(i64, 8), c.constInt(i64, 0)]);
    }, 42);
    program(`${P}_perf`, 'perf_event', (f) => bump(f, SLOT.perf));
    program(`${P}_uprobe`, 'uprobe', countIfTarget(SLOT.uprobe));
    if (o.broken) {
      // dereferences a map value without the null check the verifier insists on. The key is only
      // known at run time: for a constant in-range key the verifier knows an array lookup succeeds.
      program(`${P}_broken`, 'tracepoint/syscalls/sys_enter_getppid', () => {
        const k = b.alloca(i32, 'key');
        b.store(b.intCast(b.helper(HELPER_PID_TGID, i64, [], []), i32, false), k);
        const v = b.helper(HELPER_MAP_LOOKUP, i8p, [i8p, i8p], [b.bitcast(counts, i8p), b.bitcast(k, i8p)]);
        b.store(c.constInt(i64, 7), b.bitcast(v, c.ptr(i64)));
      });
    }
    di.finalize();
    m.verify();
    m.optimize();
    return m.emitObject();
  } finally {
    b.dispose();
    di.dispose();
    m.dispose();
    c.dispose();
  }
}

function sumSlot(obj: BpfObject, slot: number): bigint {
  const counts = obj.map(`${P}_counts`);
  const key = Buffer.alloc(4);
  key.writeUInt32LE(slot);
  const v = Buffer.alloc(counts.lookupValueSize);
  assert.ok(counts.lookup(key, v));
  let s = 0n;
  for (let cpu = 0; cpu < numPossibleCpus(); cpu++) s += v.readBigUInt64LE(cpu * 8);
  return s;
}

function setTarget(obj: BpfObject, pid: number): void {
  const v = Buffer.alloc(8);
  v.writeBigUInt64LE(BigInt(pid));
  obj.map(`${P}_filter`).update(Buffer.alloc(4), v);
}

/** Our programs and maps this process still holds (see leakedObjects in test/helpers.ts). */
async function leftovers(): Promise<string[]> {
  return leakedObjects(new RegExp(`^${P}_`), ['prog', 'map']);
}

// Debian's own python, not a version-manager shim: shims are shell scripts that call getppid()
// themselves, in the same process that later becomes python.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** A python child that, once started, says so and waits for a line before doing N getppid(). */
async function startWorkload(n: number) {
  const child = spawn(PYTHON, ['-c', `import os,sys\nprint('ready', flush=True)\nsys.stdin.readline()\nfor _ in range(${n}): os.getppid()`],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('error', reject);
  });
  return { pid: child.pid!, go: () => child.stdin.end('go\n'), exited };
}

const elf = buildObject();

test('open: programs, sections, maps and their BTF-defined shapes; nothing usable before load', () => {
  const obj = BpfObject.openMem(elf, `${P}_open`);
  try {
    assert.equal(obj.programs().map((p) => p.name).sort(), [`${P}_begin`, `${P}_getppid`, `${P}_perf`, `${P}_uprobe`]);
    const tp = obj.program(`${P}_getppid`);
    assert.is(tp.sectionName, 'tracepoint/syscalls/sys_enter_getppid');
    assert.is(tp.type, ProgType.TRACEPOINT);
    assert.is(obj.program(`${P}_begin`).type, ProgType.RAW_TRACEPOINT);
    assert.is(obj.program(`${P}_perf`).type, ProgType.PERF_EVENT);
    assert.ok(tp.autoload);
    assert.ok(obj.programs()[0] === obj.programs()[0], 'one wrapper per program');
    const counts = obj.map(`${P}_counts`);
    assert.is(counts.type, MapType.PERCPU_ARRAY);
    assert.is(counts.keySize, 4);
    assert.is(counts.valueSize, 8);
    assert.is(counts.maxEntries, 8);
    assert.is(counts.lookupValueSize, 8 * numPossibleCpus());
    counts.setMaxEntries(16);
    assert.is(counts.maxEntries, 16);
    assert.is(obj.findMap('nope'), undefined);
    assert.throws(() => obj.program('nope'), (e: unknown) => e instanceof LibbpfError && e.code === 'ENOENT');
    assert.throws(() => tp.fd, (e: unknown) => e instanceof HandleStateError && /not loaded/.test(e.message));
    assert.throws(() => tp.attach(), (e: unknown) => e instanceof HandleStateError);
    assert.throws(() => counts.lookup(Buffer.alloc(4), Buffer.alloc(counts.lookupValueSize)), (e: unknown) => e instanceof HandleStateError);
  } finally {
    obj.close();
  }
});

test('load, attach a tracepoint, exact count of a child\'s 1000 getppid(), BEGIN by test run', async () => {
  const obj = BpfObject.openMem(elf, `${P}_count`);
  const work = await startWorkload(1000);
  try {
    obj.program(`${P}_uprobe`).setAutoload(false);
    obj.program(`${P}_perf`).setAutoload(false);
    obj.load();
    assert.ok(obj.loaded);
    assert.throws(() => obj.load(), (e: unknown) => e instanceof HandleStateError && /already loaded/.test(e.message));
    assert.throws(() => obj.map(`${P}_counts`).setMaxEntries(2), (e: unknown) => e instanceof LibbpfError);
    assert.throws(() => obj.program(`${P}_perf`).setAutoload(true), (e: unknown) => e instanceof HandleStateError);
    setTarget(obj, work.pid);
    const link = obj.program(`${P}_getppid`).attach();
    assert.ok(link.fd > 0);
    const before = sumSlot(obj, SLOT.getppid);
    work.go();
    assert.is(await work.exited, 0);
    assert.is(sumSlot(obj, SLOT.getppid) - before, 1000n);

    const ring = new RingBuffer(obj.map(`${P}_events`));
    const r = obj.program(`${P}_begin`).testRun();
    assert.is(r.retval, 42);
    assert.is(sumSlot(obj, SLOT.begin), 1n);
    const records: bigint[] = [];
    assert.is(ring.consume((v, off, len) => { assert.is(len, 8); records.push(v.getBigUint64(off, true)); }), 1);
    assert.equal(records, [BigInt(BEGIN_MAGIC)]);

    link.destroy();
    link.destroy();
    assert.ok(link.destroyed);
    assert.throws(() => link.fd, (e: unknown) => e instanceof HandleStateError);
  } finally {
    obj.close();
  }
  assert.equal(await leftovers(), []);
});

test('attachTracepoint by name, perf events on every CPU, uprobe + uretprobe on libc getppid', async () => {
  const obj = BpfObject.openMem(elf, `${P}_attach`);
  const work = await startWorkload(500);
  try {
    obj.load();
    setTarget(obj, work.pid);
    obj.program(`${P}_getppid`).attachTracepoint('syscalls', 'sys_enter_getppid');
    const perf = obj.program(`${P}_perf`);
    for (const cpu of onlineCpus()) perf.attachPerfEvent(perfEventOpen({ event: 'cpu-clock', sampleFreq: 1000, cpu }));
    if (LIBC) {
      const up = obj.program(`${P}_uprobe`);
      up.attachUprobe({ binary: LIBC, funcName: 'getppid' });
      up.attachUprobe({ binary: LIBC, funcName: 'getppid', retprobe: true });
    }
    work.go();
    assert.is(await work.exited, 0);
    const t0 = Date.now();
    while (Date.now() - t0 < 100) { /* burn CPU for the profile samples */ }
    assert.is(sumSlot(obj, SLOT.getppid), 500n);
    if (LIBC) assert.is(sumSlot(obj, SLOT.uprobe), 1000n, 'uprobe + uretprobe, 500 calls each');
    assert.ok(sumSlot(obj, SLOT.perf) > 0n, 'cpu-clock samples');
  } finally {
    // links are still attached here: close() must detach them all
    obj.close();
  }
  assert.equal(await leftovers(), []);
});

test('attach failures are typed errors; a failed perf attach closes the perf fd', async () => {
  const obj = BpfObject.openMem(elf, `${P}_attfail`);
  try {
    obj.load();
    const tp = obj.program(`${P}_getppid`);
    assert.throws(() => tp.attachTracepoint('syscalls', 'sys_enter_no_such_call'),
      (e: unknown) => e instanceof LibbpfError && e.code === 'ENOENT' && /attach_tracepoint/.test(e.message));
    assert.throws(() => tp.attachUprobe({ binary: '/nonexistent/binary', funcName: 'f' }), (e: unknown) => e instanceof LibbpfError);
    // a tracepoint program cannot go on a perf event of the clock: the fd is ours to close
    const fd = perfEventOpen({ event: 'cpu-clock', sampleFreq: 10, cpu: onlineCpus()[0]! });
    assert.throws(() => tp.attachPerfEvent(fd), (e: unknown) => e instanceof LibbpfError);
    assert.not.ok(existsSync(`/proc/${process.pid}/fd/${fd}`), `perf fd ${fd} still open`);
  } finally {
    obj.close();
  }
  assert.equal(await leftovers(), []);
});

test('the verifier rejects a program: LibbpfError with the verifier log and libbpf\'s warnings', async () => {
  const broken = buildObject({ broken: true });
  const obj = BpfObject.openMem(broken, `${P}_broken`);
  try {
    obj.load();
    assert.unreachable('load succeeded');
  } catch (e) {
    assert.instance(e, LibbpfError);
    const err = e as LibbpfError;
    assert.is(err.code, 'EACCES');
    assert.match(err.operation, /bpf_object__load/);
    assert.match(err.verifierLog, /map_value_or_null/);
    assert.match(err.message, /lbt_broken/);
    assert.throws(() => obj.load(), (x: unknown) => x instanceof HandleStateError && /cannot be retried/.test(x.message));
  } finally {
    obj.close();
  }
  // the same object loads once the bad program is left out
  const ok = BpfObject.openMem(broken, `${P}_broken2`);
  try {
    ok.program(`${P}_broken`).setAutoload(false);
    ok.load();
  } finally {
    ok.close();
  }
  assert.equal(await leftovers(), []);
});

test('libbpf messages of a successful call reach the print handler', () => {
  const seen: string[] = [];
  setPrintHandler((_level, text) => { seen.push(text); }, LogLevel.DEBUG);
  try {
    BpfObject.openMem(elf, `${P}_print`).close();
  } finally {
    setPrintHandler(null);
  }
  assert.ok(seen.some((t) => /lbt_print/.test(t)), seen.slice(0, 5).join(''));
});

test('after close every handle refuses use instead of crashing; close is idempotent', async () => {
  const obj = BpfObject.openMem(elf, `${P}_closed`);
  obj.load();
  const prog = obj.program(`${P}_getppid`);
  const map = obj.map(`${P}_counts`);
  const link = prog.attach();
  const ring = new RingBuffer(obj.map(`${P}_events`));
  obj.close();
  obj.close();
  assert.ok(obj.closed);
  assert.ok(link.destroyed, 'close() destroyed the link');
  assert.ok(ring.closed, 'close() unmapped the ring buffer');
  assert.throws(() => ring.consume(() => {}), (e: unknown) => e instanceof HandleStateError);
  const closed = (e: unknown) => e instanceof HandleStateError && e.code === 'EBADF' && /is closed/.test(e.message);
  assert.throws(() => prog.fd, closed);
  assert.throws(() => prog.attach(), closed);
  assert.throws(() => prog.testRun(), closed);
  assert.throws(() => map.fd, closed);
  assert.throws(() => map.lookup(Buffer.alloc(4), Buffer.alloc(map.lookupValueSize || 64)), closed);
  assert.throws(() => obj.programs(), closed);
  assert.throws(() => obj.map(`${P}_counts`), closed);
  assert.throws(() => obj.load(), closed);
  assert.equal(await leftovers(), []);
});

test.run();
