// IR for one BPF program: statements and expressions of one probe body at one attach point.
// Builtins, functions and aggregations emit themselves through the EmitContext this class provides.

import type { AssignMap, AssignVar, Binary, Block as AstBlock, Call, Expr, For, MapRef, Range, Span, Stmt, Unary } from '../ast';
import { readAggregate } from './agg-read';
import { aggregates, builtins, functions, type CgValue, type ConfigName, type EmitContext, type LanguageOptions } from '../functions';
import type { AnalyzedProbe, Analysis, MapInfo } from '../semantic/analysis';
import { Stat } from '../meta';
import { probeType, type ExpandedProbe } from '../probes';
import { fieldType } from '../semantic/tracefs';
import { emitKernelField } from '../functions/kernel-field';
import { probeReadHelper } from './probe-read';
import { emitDeref, emitIndex, readAt, scaleBy } from './pointers';
import { arithSigned, cSizeOf, isPointer, pointerStep, sizeOf, stringType, tupleLayout, type Type } from '../types';
import { Builder, DW_ATE_signed, IntPredicate, Linkage, Opcode, type Block, type Context, type DIBuilder, type Fn, type Meta, type Module, type Ty, type Val } from './llvm';
import { BpfMapType, MapDefBuilder, type MapDef } from './map-defs';
import { BPF_ANY, BPF_NOEXIST, emitKey, ifNotNull, lookup, update } from './maps';

export interface ModuleGlobals {
  events: Val;
  stats: Val;
  zeroes: Val;
  config(name: ConfigName): { ptr: Val; type: Ty; index: number };
  map(name: string): { info: MapInfo; global: Val };
}

interface FnParts {
  c: Context;
  m: Module;
  b: Builder;
  di: DIBuilder;
  fn: Fn;
  sp: Meta;
}

const RINGBUF_OUTPUT = 130;
const FOR_EACH_MAP_ELEM = 164;
const BPF_LOOP = 181;
const LOOP_MAX = 1 << 23;
/**
 * Records are submitted with the default flags: the kernel then wakes the reader only for a record
 * that lands where the reader's position is, i.e. the first one after the reader caught up. That
 * wakes an idle session (runtime/event-pump.ts sleeps on the ring's epoll fd) and costs at most one
 * wakeup per drain under load, when the session drains on its ~1 ms timer. A wakeup on every
 * record (BPF_RB_FORCE_WAKEUP) queues an irq_work and raises a self-IPI, a VM exit here: with it, a
 * printf per getppid() (bench throughput suite) cost ~1,000 ns a call; without it ~500-650 ns.
 */
const RINGBUF_FLAGS = 0;
const EEXIST = 17;
/** Values bigger than this, or past the stack budget, go to the per-CPU scratch map. */
const STACK_VALUE_MAX = 64;
/** Stack bytes our own slots may take; LLVM needs the rest of the 512 for spills and calls. */
const STACK_BUDGET = 256;
/** Largest memset LLVM's BPF backend reliably turns into stores (64 8-byte stores). */
const MEMSET_CHUNK = 512;
const GET_SMP_PROCESSOR_ID = 8;

/** Maps defined through sharedMap(), per module being generated. */
const sharedMaps = new WeakMap<Module, Map<string, Val>>();

/** Offset of sp in x86-64's struct pt_regs. */
const PT_REGS_SP = 152;

export class ProbeEmitter implements EmitContext {
  readonly c: Context;
  readonly b: Builder;
  readonly m: Module;
  readonly probe: ExpandedProbe;
  readonly ctxArg: Val;
  readonly i64: Ty;
  readonly i8p: Ty;
  private readonly allocaBlock: Block;
  private readonly vars = new Map<string, Val>();
  /** Values already emitted for these expressions (an aggregation's arguments, see updateAggregate). */
  private readonly evaluated = new Map<Expr, CgValue>();
  private stackUsed = 0;
  /** Bytes of this program's scratch map handed out so far, and which of them start zeroed. */
  private scratchUsed = 0;
  /** Offsets of scratch regions every call site with the same key reuses (see scratch()). */
  private readonly sharedScratch = new Map<string, number>();
  private scratchZeroed: { offset: number; size: number }[] = [];
  /** Stack slot holding the scratch map's value pointer, set on entry (null until first used). */
  private scratchSlot: Val | null = null;
  /**
   * Where the addresses of zeroed scratch slots (variables that did not fit the stack) are
   * computed: after the scratch value is found and before the body, so the address dominates
   * every use, however many branches and unrolled copies use the variable.
   */
  private scratchAddrs: Block | null = null;
  /** Innermost loop last: where break and continue go. */
  private loops: { brk: Block; cont: Block }[] = [];

  constructor(
    private readonly a: Analysis,
    private readonly p: AnalyzedProbe,
    private readonly parts: FnParts,
    private readonly g: ModuleGlobals,
    /** A callback (a for loop's body) receives the probe's context indirectly: how to load it on entry. */
    loadCtx?: (b: Builder, fn: Fn) => Val,
  ) {
    this.c = parts.c;
    this.b = parts.b;
    this.m = parts.m;
    this.probe = p.expanded;
    this.i64 = this.c.int(64);
    this.i8p = this.c.ptr(this.c.int(8));
    // Stack slots live in a block of their own, so every later alloca can go before its branch.
    this.allocaBlock = this.b.appendBlock(parts.fn, 'slots');
    if (loadCtx) this.b.positionAtEnd(this.allocaBlock);
    this.ctxArg = loadCtx ? loadCtx(this.b, parts.fn) : this.m.param(parts.fn, 0);
  }

  emitProgram(): void {
    const { b } = this;
    const body = b.appendBlock(this.parts.fn, 'body');
    b.positionAtEnd(body);
    this.at(this.p.probe.span);
    // The probe type's own precondition (src/probes/types.ts guard), before the user's predicate.
    const guard = probeType(this.probe.provider)?.guard;
    if (guard) {
      const go = b.appendBlock(this.parts.fn, 'guarded');
      const stop = b.appendBlock(this.parts.fn, 'unguarded');
      b.condBr(guard(this), go, stop);
      b.positionAtEnd(stop);
      b.ret(this.c.constInt(this.c.int(32), 0));
      b.positionAtEnd(go);
    }
    const pred = this.p.probe.predicate;
    if (pred) {
      this.at(pred.span);
      const go = b.appendBlock(this.parts.fn, 'pass');
      const stop = b.appendBlock(this.parts.fn, 'filtered');
      b.condBr(this.truthy(this.emit(pred).v), go, stop);
      b.positionAtEnd(stop);
      b.ret(this.c.constInt(this.c.int(32), 0));
      b.positionAtEnd(go);
    }
    this.block(this.p.probe.body);
    if (!b.terminated) b.ret(this.c.constInt(this.c.int(32), 0));
    // The slots block collected every stack slot and its zeroing; only now can it end.
    b.positionAtEnd(this.allocaBlock);
    this.at(this.p.probe.span);
    if (this.scratchSlot) this.initScratch(body);
    else b.br(body);
  }

  /** On entry: finds this CPU's scratch value and zeroes the parts handed out as zeroed slots. */
  private initScratch(body: Block): void {
    const { b, c } = this;
    const def = new MapDefBuilder(this.m, this.parts.di).define({
      name: `scratch_${this.p.progName.replace(/^probe_/, '')}`,
      type: BpfMapType.PercpuArray,
      maxEntries: 1,
      keySize: 4,
      valueSize: Math.max(8, this.scratchUsed),
    });
    const key = b.alloca(c.int(32), 'scratch_key');
    b.store(c.constInt(c.int(32), 0), key);
    const p = lookup(this, def, b.bitcast(key, this.i8p));
    const ok = b.appendBlock(this.parts.fn, 'scratch_ok');
    const fail = b.appendBlock(this.parts.fn, 'scratch_missing');
    b.condBr(b.icmp(IntPredicate.NE, p, c.constNull(this.i8p)), ok, fail);
    b.positionAtEnd(fail);
    b.ret(c.constInt(c.int(32), 0));
    b.positionAtEnd(ok);
    b.store(p, this.scratchSlot!);
    this.zeroRuns(p);
    if (this.scratchAddrs) {
      b.br(this.scratchAddrs);
      b.positionAtEnd(this.scratchAddrs);
    }
    b.br(body);
  }

  /**
   * Zeroes the scratch regions handed out by zeroed(). LLVM's BPF backend expands a memset into
   * stores only up to a limit and cannot call a library memset, and it merges adjacent memsets; so
   * contiguous regions are zeroed in chunks kept apart by a cheap helper call it cannot see through.
   */
  private zeroRuns(base: Val): void {
    const { b, c } = this;
    const runs: { offset: number; size: number }[] = [];
    for (const z of this.scratchZeroed) {
      const last = runs[runs.length - 1];
      if (last && last.offset + last.size === z.offset) last.size += z.size;
      else runs.push({ ...z });
    }
    let first = true;
    for (const r of runs) {
      for (let off = 0; off < r.size; off += MEMSET_CHUNK) {
        if (!first) b.helper(GET_SMP_PROCESSOR_ID, c.int(32), [], []);
        first = false;
        b.memset(b.byteOffset(base, r.offset + off, c.int(8)), 0, Math.min(MEMSET_CHUNK, r.size - off), 8);
      }
    }
  }

  get options(): LanguageOptions {
    return this.a;
  }

  sharedMap(def: MapDef): Val {
    let maps = sharedMaps.get(this.m);
    if (!maps) sharedMaps.set(this.m, (maps = new Map()));
    let g = maps.get(def.name);
    if (!g) maps.set(def.name, (g = new MapDefBuilder(this.m, this.parts.di).define(def)));
    return g;
  }

  get fn(): Fn {
    return this.parts.fn;
  }

  scratch(size: number, name = 'scratch', shared?: string): Val {
    const { b, c } = this;
    const reused = shared === undefined ? undefined : this.sharedScratch.get(shared);
    if (shared !== undefined && reused === undefined) this.sharedScratch.set(shared, this.scratchUsed);
    if (!this.scratchSlot) {
      const here = b.insertBlock;
      b.positionAtEnd(this.allocaBlock);
      this.scratchSlot = b.alloca(this.i8p, 'scratch_ptr');
      b.positionAtEnd(here);
    }
    const offset = reused ?? this.scratchUsed;
    if (reused === undefined) this.scratchUsed += Math.ceil(size / 8) * 8;
    const base = b.load(this.i8p, this.scratchSlot, 'scratch');
    return b.byteOffset(base, offset, c.int(8));
  }

  private at(span: Span): void {
    this.b.setDebugLocation(this.parts.di.location(span.line, span.col, this.parts.sp));
  }

  // ---- EmitContext ----

  private readonly statics = new Map<string, Fn>();
  staticFunction(name: string, ret: Ty, params: Ty[], build: (b: Builder, fn: Fn) => void): Fn {
    const full = `${this.p.progName}_${name}`;
    const known = this.statics.get(full);
    if (known) return known;
    const f = this.m.addFunction(full, this.c.fnType(ret, params));
    this.m.setLinkage(f, Linkage.Internal);
    const { di } = this.parts;
    const line = this.p.probe.span.line;
    const ptr = di.pointer(null);
    const sp = di.function(f, full, line, di.basic('long', 64, DW_ATE_signed), params.map((_, i) => ({ name: `a${i}`, type: ptr })), true);
    // A builder of its own: the probe's builder stays where it is, with the probe's debug scope.
    const b = new Builder(this.c);
    try {
      b.positionAtEnd(b.appendBlock(f, 'entry'));
      b.setDebugLocation(di.location(line, 1, sp));
      build(b, f);
    } finally {
      b.dispose();
    }
    di.finalizeSubprogram(sp);
    this.statics.set(full, f);
    return f;
  }

  typeOf(e: Expr): Type {
    const t = this.a.types.get(e);
    if (!t) throw new Error(`internal: no type for ${e.kind} at ${e.span.line}:${e.span.col}`);
    return t;
  }

  constInt(v: bigint | number): Val {
    return this.c.constInt(this.i64, v);
  }

  zeroed(size: number, name = '', stackOnly = false): Val {
    const { b, c } = this;
    const bytes = Math.max(Math.ceil(size / 8), 1) * 8;
    if (!stackOnly && (bytes > STACK_VALUE_MAX || this.stackUsed + bytes > STACK_BUDGET)) {
      this.scratchZeroed.push({ offset: this.scratchUsed, size: bytes });
      const here = b.insertBlock;
      b.positionAtEnd(this.scratchAddrs ??= b.appendBlock(this.parts.fn, 'scratch_addrs'));
      const slot = this.scratch(bytes, name);
      b.positionAtEnd(here);
      return slot;
    }
    this.stackUsed += bytes;
    const here = b.insertBlock;
    // Slots are allocated and zeroed once, on entry: the verifier rejects reads of stack bytes
    // that no path has written, and map keys are hashed padding and all.
    b.positionAtEnd(this.allocaBlock);
    const words = Math.max(Math.ceil(size / 8), 1);
    const slot = b.bitcast(b.alloca(c.array(this.i64, words), name), this.i8p);
    b.memset(slot, 0, words * 8, 8);
    b.positionAtEnd(here);
    return slot;
  }

  private readonly reusable = new Map<string, Val>();
  /**
   * A zeroed slot shared by every statement of the program that fills it completely and uses it at
   * once (a stat index, an integer value handed to a map update, the key of a keyless map, which is
   * never written): one slot per program instead of one per statement, so thousands of statements
   * stay within the stack and the scratch map's 32 KiB.
   */
  reusableSlot(name: string, size: number): Val {
    const key = `${name}/${size}`;
    let slot = this.reusable.get(key);
    // On the stack always: a scratch-map slot is an address computed where it is first used, which
    // does not dominate the other uses; these few words fit any budget.
    if (!slot) this.reusable.set(key, (slot = this.zeroed(size, name, true)));
    return slot;
  }

  storeValue(v: CgValue, dst: Val, slotType: Type): void {
    const { b, c } = this;
    switch (slotType.kind) {
      case 'int':
      case 'bool': {
        const bits = slotType.kind === 'int' ? slotType.bits : 8;
        const it = c.int(bits);
        b.store(b.intCast(v.v, it, v.type.kind === 'int' && v.type.signed), b.bitcast(dst, c.ptr(it)));
        return;
      }
      case 'string': {
        // A struct by value (print(curtask->se.load)) is a place in memory: copy its bytes from there.
        if (v.type.kind === 'record') {
          b.helper(probeReadHelper(v.type.space), this.i64, [this.i8p, c.int(32), this.i8p], [dst, c.constInt(c.int(32), Math.min(v.type.size, slotType.size - 1)), b.intToPtr(v.v, this.i8p)]);
          return;
        }
        // A copied struct or array's spare byte is never copied: in a tuple it is the next element's.
        const srcSize = v.type.kind === 'string' ? cSizeOf(v.type) : 0;
        const n = Math.min(srcSize, cSizeOf(slotType));
        if (n > 0) b.memcpy(dst, v.v, n);
        return;
      }
      case 'tuple': {
        if (v.type.kind !== 'tuple') return;
        const src = tupleLayout(v.type);
        const out = tupleLayout(slotType);
        const srcElems = v.type.elems;
        slotType.elems.forEach((et, i) => {
          const st = srcElems[i];
          const sp = b.byteOffset(v.v, src.offsets[i], c.int(8));
          const elem: CgValue = st.kind === 'int' ? { type: st, v: b.intCast(b.load(c.int(st.bits), b.bitcast(sp, c.ptr(c.int(st.bits)))), this.i64, st.signed) } : { type: st, v: sp };
          this.storeValue(elem, b.byteOffset(dst, out.offsets[i], c.int(8)), et);
        });
        return;
      }
      default:
        throw new Error(`internal: cannot store a ${slotType.kind}`);
    }
  }

  submitEvent(record: Val, size: number): void {
    const { b, i64, i8p } = this;
    const rb = b.bitcast(this.g.events, i8p);
    const r = b.helper(RINGBUF_OUTPUT, i64, [i8p, i8p, i64, i64], [rb, record, this.constInt(size), this.constInt(RINGBUF_FLAGS)]);
    const failed = b.icmp(IntPredicate.SLT, r, this.constInt(0));
    const yes = b.appendBlock(this.parts.fn, 'lost');
    const done = b.appendBlock(this.parts.fn, 'sent');
    b.condBr(failed, yes, done);
    b.positionAtEnd(yes);
    this.bumpStat(Stat.LostEvents);
    b.br(done);
    b.positionAtEnd(done);
  }

  /** A refused map update (a new key in a full map) is counted, to be reported at exit. */
  reportHelper(node: object, result: Val, failed: 'negative' | 'null'): void {
    const id = this.a.helperEvents.get(node);
    if (id === undefined) return;
    const { b, c, i64 } = this;
    const bad = failed === 'null' ? b.icmp(IntPredicate.EQ, result, c.constNull(this.i8p)) : b.icmp(IntPredicate.SLT, result, this.constInt(0));
    const yes = b.appendBlock(this.parts.fn, 'helper_failed');
    const done = b.appendBlock(this.parts.fn, 'helper_ok');
    b.condBr(bad, yes, done);
    b.positionAtEnd(yes);
    // [event id][the helper's return value] (0 for a lookup that found nothing, as bpftrace says).
    const rec = this.zeroed(16, 'helper_error');
    b.store(this.constInt(id), b.bitcast(rec, c.ptr(i64)));
    if (failed === 'negative') b.store(result, b.bitcast(b.byteOffset(rec, 8, i64), c.ptr(i64)));
    this.submitEvent(rec, 16);
    b.br(done);
    b.positionAtEnd(done);
  }

  private countMapFull(r: Val): void {
    const { b } = this;
    const yes = b.appendBlock(this.parts.fn, 'map_full');
    const done = b.appendBlock(this.parts.fn, 'stored');
    b.condBr(b.icmp(IntPredicate.SLT, r, this.constInt(0)), yes, done);
    b.positionAtEnd(yes);
    this.bumpStat(Stat.MapFull);
    b.br(done);
    b.positionAtEnd(done);
  }

  private bumpStat(which: Stat): void {
    const { b, c } = this;
    const key = this.reusableSlot('stat', 4);
    b.store(c.constInt(c.int(32), which), b.bitcast(key, c.ptr(c.int(32))));
    const v = lookup(this, this.g.stats, key);
    ifNotNull(this, v, (p) => {
      const q = b.bitcast(p, c.ptr(this.i64));
      b.store(b.binop(Opcode.Add, b.load(this.i64, q), this.constInt(1)), q);
    }, () => {});
  }

  eventId(call: Call): number {
    const id = this.a.eventIds.get(call);
    if (id === undefined) throw new Error(`internal: no event for ${call.name}()`);
    return id;
  }

  returnFromProgram(): void {
    const { b } = this;
    b.ret(this.c.constInt(this.c.int(32), 0));
    // Anything the user wrote after exit() still needs a block to go into; it is unreachable.
    b.positionAtEnd(b.appendBlock(this.parts.fn, 'after_exit'));
  }

  stringConstant(s: string): CgValue {
    const { b, c } = this;
    const bytes = Buffer.from(s, 'latin1');
    const buf = this.zeroed(bytes.length + 1, 'str');
    if (bytes.length) {
      // A store of a constant array becomes immediate stores: no .rodata string section needed.
      const k = c.constString(bytes, false);
      b.store(k, b.bitcast(buf, c.ptr(c.typeOf(k))));
    }
    return { type: stringType(bytes.length + 1), v: buf };
  }

  map(name: string): { global: Val; info: MapInfo } | undefined {
    return this.g.map(name);
  }

  config(name: ConfigName): Val {
    const cfg = this.g.config(name);
    const p = this.b.structGep(cfg.type, cfg.ptr, cfg.index);
    return this.b.load(this.i64, p, name, true);
  }

  // ---- statements ----

  private block(blk: AstBlock): void {
    for (const s of blk.stmts) this.stmt(s);
  }

  private stmt(s: Stmt): void {
    this.at(s.span);
    switch (s.kind) {
      case 'ExprStmt':
        this.emit(s.expr);
        return;
      case 'AssignMap':
        return this.assignMap(s);
      case 'AssignVar':
        return this.assignVar(s);
      case 'If': {
        const { b } = this;
        const then = b.appendBlock(this.parts.fn, 'then');
        const els = b.appendBlock(this.parts.fn, 'else');
        const done = b.appendBlock(this.parts.fn, 'endif');
        b.condBr(this.truthy(this.emit(s.cond).v), then, els);
        b.positionAtEnd(then);
        this.block(s.then);
        if (!b.terminated) b.br(done);
        b.positionAtEnd(els);
        if (s.else) this.block(s.else);
        if (!b.terminated) b.br(done);
        b.positionAtEnd(done);
        return;
      }
      case 'While': {
        const { b } = this;
        const cond = b.appendBlock(this.parts.fn, 'while_cond');
        const body = b.appendBlock(this.parts.fn, 'while_body');
        const done = b.appendBlock(this.parts.fn, 'while_end');
        b.br(cond);
        b.positionAtEnd(cond);
        b.condBr(this.truthy(this.emit(s.cond).v), body, done);
        b.positionAtEnd(body);
        this.loops.push({ brk: done, cont: cond });
        this.block(s.body);
        this.loops.pop();
        if (!b.terminated) b.br(cond);
        b.positionAtEnd(done);
        return;
      }
      case 'Unroll': {
        const n = this.a.constants.get(s.count)!;
        for (let i = 0; i < n; i++) this.block(s.body);
        return;
      }
      case 'For':
        return this.forMap(s);
      case 'Jump': {
        const { b } = this;
        if (s.jump === 'return') {
          this.returnFromProgram();
          return;
        }
        const loop = this.loops[this.loops.length - 1];
        b.br(s.jump === 'break' ? loop.brk : loop.cont);
        // Statements after a jump are dead but still need a block to be emitted into.
        b.positionAtEnd(b.appendBlock(this.parts.fn, `after_${s.jump}`));
        return;
      }
      default:
        throw new Error(`internal: statement ${s.kind} reached codegen`);
    }
  }

  private assignMap(s: AssignMap): void {
    const { info, global } = this.g.map(`@${s.map.name}`);
    const key = emitKey(this, info, s.map.keys);
    const v = s.value;
    if (info.aggregate && v.kind === 'Call' && aggregates.has(v.name) && info.valueType.kind === 'agg') {
      return this.updateAggregate(info, global, key, v);
    }
    let value = this.emit(v);
    if (s.op) {
      const cur = this.readMap(info, global, key);
      value = { type: value.type, v: this.arith(s.op, cur.v, value.v, cur.type, value.type) };
    }
    const buf = this.valueSlot(info.valueType);
    this.storeValue(value, buf, info.valueType);
    const r = update(this, global, key, buf, BPF_ANY);
    this.reportHelper(s, r, 'negative');
    this.countMapFull(r);
  }

  /** Where a value is put for a map update: integers fill their slot whole, so one slot serves all. */
  private valueSlot(t: Type): Val {
    return t.kind === 'int' ? this.reusableSlot('value', sizeOf(t)) : this.zeroed(sizeOf(t), 'value');
  }

  /**
   * Per-CPU in-place update: the common case is one lookup and a plain add, no atomics (each CPU
   * owns its copy). A new key is first inserted as zeroes (from the read-only `zeroes` map, so large
   * values like hist buckets never touch the 512-byte stack) with BPF_NOEXIST, then looked up again;
   * losing that race to another CPU is harmless. A full map is counted.
   */
  private updateAggregate(info: MapInfo, global: Val, key: Val, call: Call): void {
    const agg = info.aggregate!;
    const t = info.valueType as Extract<Type, { kind: 'agg' }>;
    const { b } = this;
    // The arguments are evaluated first, on every path: emitted inside the found-entry branch, a
    // side effect (`avg($a++)` in a while loop) would be skipped when the lookup fails, and the
    // verifier rightly sees a loop that may never end. Only the value is an expression: lhist's
    // bounds and the like are compile-time constants.
    const value = call.args[0];
    if (value) this.evaluated.set(value, this.emit(value));
    const slot = this.zeroed(8, 'aggslot');
    const slotP = b.bitcast(slot, this.c.ptr(this.i8p));
    b.store(lookup(this, global, key), slotP);
    const first = b.load(this.i8p, slotP);
    ifNotNull(this, first, () => {}, () => {
      const zero = this.zeroesPtr();
      const r = update(this, global, key, zero, BPF_NOEXIST);
      const full = b.icmp(IntPredicate.EQ, b.binop(Opcode.And, b.icmp(IntPredicate.NE, r, this.constInt(0)), b.icmp(IntPredicate.NE, r, this.constInt(-EEXIST))), this.c.constInt(this.c.int(1), 1));
      const yes = b.appendBlock(this.parts.fn, 'map_full');
      const go = b.appendBlock(this.parts.fn, 'relookup');
      b.condBr(full, yes, go);
      b.positionAtEnd(yes);
      this.bumpStat(Stat.MapFull);
      b.br(go);
      b.positionAtEnd(go);
      b.store(lookup(this, global, key), slotP);
    });
    ifNotNull(this, b.load(this.i8p, slotP), (p) => agg.emitUpdate(this, call, t, p), () => {});
    if (value) this.evaluated.delete(value);
  }

  /** Pointer to the read-only all-zero value every new aggregation entry starts from. */
  private zeroesPtr(): Val {
    const key = this.zeroed(4, 'zkey');
    const p = lookup(this, this.g.zeroes, key);
    // An array map lookup at index 0 never fails, but the verifier insists on a null check.
    const out = this.zeroed(8, 'zptr');
    const outP = this.b.bitcast(out, this.c.ptr(this.i8p));
    this.b.store(p, outP);
    ifNotNull(this, p, () => {}, () => this.b.ret(this.c.constInt(this.c.int(32), 0)));
    return this.b.load(this.i8p, outP);
  }

  /** `node`: the map read a -kk watch may report a missing key of. */
  private readMap(info: MapInfo, global: Val, key: Val, node?: object): CgValue {
    const { b, c } = this;
    const t = info.valueType;
    const found = lookup(this, global, key);
    if (node) this.reportHelper(node, found, 'null');
    if (t.kind === 'int') {
      // A missing entry reads as 0: the value straight from the map, no copy through a slot.
      const it = c.int(t.bits);
      const yes = b.appendBlock(this.parts.fn, 'found');
      const done = b.appendBlock(this.parts.fn, 'read');
      const from = b.insertBlock;
      b.condBr(b.icmp(IntPredicate.NE, found, c.constNull(this.i8p)), yes, done);
      b.positionAtEnd(yes);
      const v = b.load(it, b.bitcast(found, c.ptr(it)));
      b.br(done);
      b.positionAtEnd(done);
      return { type: t, v: b.intCast(b.phi(it, [[v, yes], [c.constInt(it, 0), from]]), this.i64, t.signed) };
    }
    const out = this.zeroed(sizeOf(t), 'read');
    // Map values are 8-byte aligned in the kernel: word copies, not byte by byte.
    ifNotNull(this, found, (p) => b.memcpy(out, p, sizeOf(t), 8), () => {});
    return { type: t, v: out };
  }

  /** A variable's slot, sized for the widest value any assignment stores in it. */
  /**
   * `for ($kv : @m) { … }`: bpf_for_each_map_elem calls a static callback per element. Its body is
   * emitted by an emitter of its own (own stack, slots and scratch map); the probe's context
   * reaches it through a stack slot, the callback's context argument.
   */
  private forMap(s: For): void {
    if (s.iterable.kind === 'Range') return this.forRange(s, s.iterable);
    const { b, c, i8p } = this;
    const { info, global } = this.g.map(`@${(s.iterable as MapRef).name}`);
    const name = `${this.p.progName}_for${this.statics.size}`;
    const i32 = c.int(32);
    const cb = this.m.addFunction(name, c.fnType(i32, [i8p, i8p, i8p, i8p]));
    this.m.setLinkage(cb, Linkage.Internal);
    this.statics.set(name, cb);
    const { di } = this.parts;
    const ptr = di.pointer(null);
    const sp = di.function(cb, name, s.span.line, di.basic('int', 32, DW_ATE_signed), ['map', 'key', 'value', 'ctx'].map((n) => ({ name: n, type: ptr })), true);
    const cbb = new Builder(c);
    try {
      cbb.setDebugLocation(di.location(s.span.line, s.span.col, sp));
      const loopProbe: AnalyzedProbe = { ...this.p, progName: name, variables: this.a.forLoops.get(s)! };
      const loadCtx = (fb: Builder, f: Fn) => fb.load(i8p, fb.bitcast(this.m.param(f, 3), c.ptr(i8p)));
      new ProbeEmitter(this.a, loopProbe, { c, m: this.m, b: cbb, di, fn: cb, sp }, this.g, loadCtx).emitLoopBody(s, info);
    } finally {
      cbb.dispose();
    }
    di.finalizeSubprogram(sp);
    const ctxRef = this.zeroed(8, 'for_ctx', true);
    b.store(this.ctxArg, b.bitcast(ctxRef, c.ptr(i8p)));
    b.helper(FOR_EACH_MAP_ELEM, this.i64, [i8p, i8p, i8p, this.i64], [b.bitcast(global, i8p), b.bitcast(cb, i8p), ctxRef, this.constInt(0)]);
  }

  /** The callback's body: `$kv` from the element's key and value, then the statements; break stops the walk. */
  private emitLoopBody(s: For, info: MapInfo): void {
    const { b, c } = this;
    const fn = this.parts.fn;
    const i32 = c.int(32);
    const body = b.appendBlock(fn, 'body');
    b.positionAtEnd(body);
    this.at(s.span);
    const kv = this.p.variables.get(s.variable.name)!;
    const slot = this.varSlot(s.variable.name);
    const { offsets } = tupleLayout(kv as Extract<Type, { kind: 'tuple' }>);
    b.memcpy(b.byteOffset(slot, offsets[0], c.int(8)), this.m.param(fn, 1), sizeOf(info.keyType!), 1);
    b.memcpy(b.byteOffset(slot, offsets[1], c.int(8)), this.m.param(fn, 2), sizeOf(info.valueType), 1);
    this.loopCallbackBody(fn, s.body, c.constInt(i32, 1), c.constInt(i32, 0));
    b.positionAtEnd(this.allocaBlock);
    this.at(s.span);
    if (this.scratchSlot) this.initScratch(body);
    else b.br(body);
  }

  /**
   * `for ($i : a..b) { … }`: bpf_loop (5.17+) calls a static callback b-a times. Its context, on this
   * stack: the probe's context, a, then a pointer to the slot of each probe variable the body
   * names, which the callback's emitter uses as those variables' slots.
   */
  private forRange(s: For, r: Range): void {
    const { b, c, i8p, i64 } = this;
    const vars = this.a.forLoops.get(s)!;
    const shared = [...namedVars(s.body)].filter((n) => n !== s.variable.name && vars.has(n));
    const start = this.emit(r.start).v;
    const n = b.binop(Opcode.Sub, this.emit(r.end).v, start);
    // nr_loops is a u32 and bpf_loop refuses more than 1 << 23 (E2BIG, no iterations): clamp
    // rather than truncate, so an over-long range runs nothing instead of a wrong count.
    const pos = b.select(b.icmp(IntPredicate.SGT, n, this.constInt(0)), n, this.constInt(0));
    const iters = b.select(b.icmp(IntPredicate.UGT, pos, this.constInt(LOOP_MAX)), this.constInt(LOOP_MAX + 1), pos);
    const name = `${this.p.progName}_for${this.statics.size}`;
    const cb = this.m.addFunction(name, c.fnType(i64, [i64, i8p]));
    this.m.setLinkage(cb, Linkage.Internal);
    this.statics.set(name, cb);
    const { di } = this.parts;
    const sp = di.function(cb, name, s.span.line, di.basic('long', 64, DW_ATE_signed), [{ name: 'index', type: di.basic('long', 64, DW_ATE_signed) }, { name: 'ctx', type: di.pointer(null) }], true);
    const cbb = new Builder(c);
    try {
      cbb.setDebugLocation(di.location(s.span.line, s.span.col, sp));
      const loopProbe: AnalyzedProbe = { ...this.p, progName: name, variables: vars };
      const field = (fb: Builder, f: Fn, i: number, t: Ty) => fb.load(t, fb.bitcast(fb.byteOffset(this.m.param(f, 1), i * 8, c.int(8)), c.ptr(t)));
      const e = new ProbeEmitter(this.a, loopProbe, { c, m: this.m, b: cbb, di, fn: cb, sp }, this.g, (fb, f) => field(fb, f, 0, i8p));
      shared.forEach((v, i) => e.vars.set(v, field(cbb, cb, 2 + i, i8p)));
      const first = field(cbb, cb, 1, i64);
      e.emitRangeBody(s, first);
    } finally {
      cbb.dispose();
    }
    di.finalizeSubprogram(sp);
    const ctxRef = this.zeroed(8 * (2 + shared.length), 'for_ctx', true);
    const put = (i: number, v: Val, t: Ty) => b.store(v, b.bitcast(b.byteOffset(ctxRef, i * 8, c.int(8)), c.ptr(t)));
    put(0, this.ctxArg, i8p);
    put(1, start, i64);
    shared.forEach((v, i) => put(2 + i, this.varSlot(v), i8p));
    // An empty range skips the call: when the verifier knows the count is 0 it never walks the
    // callback, drops it as dead code, and then fails on the call's reference to it (6.18).
    const go = b.appendBlock(this.parts.fn, 'for_range');
    const done = b.appendBlock(this.parts.fn, 'for_range_end');
    b.condBr(b.icmp(IntPredicate.NE, pos, this.constInt(0)), go, done);
    b.positionAtEnd(go);
    b.helper(BPF_LOOP, i64, [c.int(32), i8p, i8p, i64], [b.intCast(iters, c.int(32), false), b.bitcast(cb, i8p), ctxRef, this.constInt(0)]);
    b.br(done);
    b.positionAtEnd(done);
  }

  /** The callback's body: `$i = a + index`, then the statements; break ends the loop (returns 1). */
  /**
   * The body of a loop compiled as a helper's callback (map or range): `break` returns `stop` (the
   * helper ends the iteration), falling off the end or `continue` returns `next`.
   */
  private loopCallbackBody(fn: Fn, body: AstBlock, stop: Val, next: Val): void {
    const b = this.b;
    const stopBlock = b.appendBlock(fn, 'for_stop');
    const nextBlock = b.appendBlock(fn, 'for_next');
    this.loops.push({ brk: stopBlock, cont: nextBlock });
    this.block(body);
    this.loops.pop();
    if (!b.terminated) b.br(nextBlock);
    b.positionAtEnd(stopBlock);
    b.ret(stop);
    b.positionAtEnd(nextBlock);
    b.ret(next);
  }

  private emitRangeBody(s: For, first: Val): void {
    const { b, c } = this;
    const fn = this.parts.fn;
    const body = b.appendBlock(fn, 'body');
    b.positionAtEnd(body);
    this.at(s.span);
    b.store(b.binop(Opcode.Add, first, this.m.param(fn, 0)), b.bitcast(this.varSlot(s.variable.name), c.ptr(this.i64)));
    this.loopCallbackBody(fn, s.body, this.constInt(1), this.constInt(0));
    b.positionAtEnd(this.allocaBlock);
    this.at(s.span);
    if (this.scratchSlot) this.initScratch(body);
    else b.br(body);
  }

  /**
   * One arm of a ternary, as a value of the whole ternary's type: a string shorter than the other
   * arm's is copied into a buffer of the full size, since whoever reads the result (a comparison,
   * a map key) reads that many bytes, and the verifier refuses a read past the shorter buffer.
   */
  private ternaryBranch(arm: Expr, t: Type): Val {
    const v = this.emit(arm);
    if (t.kind !== 'string' || v.type.kind !== 'string' || sizeOf(v.type) >= sizeOf(t)) return v.v;
    const buf = this.zeroed(sizeOf(t), 'tern');
    this.storeValue(v, buf, t);
    return buf;
  }

  private loopVarNames: Set<string> | null = null;

  private varSlot(name: string): Val {
    let slot = this.vars.get(name);
    if (!slot) {
      const t = this.p.variables.get(name)!;
      // A while loop's counter stays on the stack even past the budget: in the scratch map the
      // verifier cannot follow its value, so it could not bound the loop ("infinite loop detected").
      this.loopVarNames ??= whileConditionVariables(this.p.probe.body);
      const stackOnly = t.kind === 'int' && this.loopVarNames.has(name);
      slot = this.zeroed(t.kind === 'int' ? 8 : Math.max(sizeOf(t), 8), `var_${name}`, stackOnly);
      this.vars.set(name, slot);
    }
    return slot;
  }

  private assignVar(s: AssignVar): void {
    const t = this.p.variables.get(s.variable.name) ?? this.typeOf(s.variable);
    const slot = this.varSlot(s.variable.name);
    let value = this.emit(s.value);
    if (s.op) {
      const cur = this.readVar(s.variable.name, t);
      value = { type: value.type, v: this.arith(s.op, cur.v, value.v, cur.type, value.type) };
    }
    if (t.kind === 'string' || t.kind === 'tuple') this.b.memset(slot, 0, sizeOf(t));
    this.storeValue(value, slot, t.kind === 'int' ? { ...t, bits: 64 } : t);
  }

  private readVar(name: string, t: Type): CgValue {
    const slot = this.varSlot(name);
    if (t.kind === 'int') return { type: t, v: this.b.load(this.i64, this.b.bitcast(slot, this.c.ptr(this.i64))) };
    return { type: t, v: slot };
  }

  // ---- expressions ----

  emit(e: Expr): CgValue {
    const done = this.evaluated.get(e);
    if (done) return done;
    const { b, c } = this;
    const t = this.typeOf(e);
    switch (e.kind) {
      case 'IntLit':
        return { type: t, v: this.constInt(e.value) };
      case 'StrLit':
        return this.stringConstant(e.value);
      case 'Builtin':
        if (e.name === 'args' || (e.name === 'ctx' && t.kind === 'args')) return { type: t, v: this.ctxArg };
        if (this.a.constants.has(e)) return { type: t, v: this.constInt(this.a.constants.get(e)!) }; // a BTF enumerator
        return builtins.get(e.name)!.emit(this, e);
      case 'Variable':
        return this.readVar(e.name, t);
      case 'MapRef': {
        const { info, global } = this.g.map(`@${e.name}`);
        if (info.aggregate) return readAggregate(this, info, global, emitKey(this, info, e.keys));
        return this.readMap(info, global, emitKey(this, info, e.keys), e);
      }
      case 'Call':
        return functions.get(e.name)!.emit(this, e);
      case 'Binary':
        return this.binary(e, t);
      case 'Unary': {
        if (e.op.length > 1) return this.step(e, t);
        if (e.op === '*') return emitDeref(this, e);
        const x = this.emit(e.operand).v;
        if (e.op === '-') return { type: t, v: b.neg(x) };
        if (e.op === '~') return { type: t, v: b.not(x) };
        if (e.op === '!') return { type: t, v: this.bool(b.icmp(IntPredicate.EQ, x, this.constInt(0))) };
        throw new Error(`internal: unary ${e.op}`);
      }
      case 'Ternary': {
        const yes = b.appendBlock(this.parts.fn, 'tern_then');
        const no = b.appendBlock(this.parts.fn, 'tern_else');
        const done = b.appendBlock(this.parts.fn, 'tern_end');
        b.condBr(this.truthy(this.emit(e.cond).v), yes, no);
        b.positionAtEnd(yes);
        const a = this.ternaryBranch(e.then, t);
        const aEnd = b.insertBlock;
        b.br(done);
        b.positionAtEnd(no);
        const z = this.ternaryBranch(e.else, t);
        const zEnd = b.insertBlock;
        b.br(done);
        b.positionAtEnd(done);
        return { type: t, v: b.phi(c.typeOf(a), [[a, aEnd], [z, zEnd]]) };
      }
      case 'FieldAccess': {
        const kernel = this.a.kernelFields.get(e);
        return kernel ? emitKernelField(this, e, kernel) : this.field(e.field, t);
      }
      case 'Positional':
        // Only a text argument is still a Positional (positionals.ts inlined the rest).
        return this.stringConstant(this.a.positionals[e.index - 1]);
      case 'Cast': {
        const v = this.emit(e.operand).v;
        if (t.kind !== 'int' || t.bits === 64) return { type: t, v };
        const narrow = b.intCast(v, c.int(t.bits), false);
        return { type: t, v: b.intCast(narrow, this.i64, t.signed) };
      }
      case 'Sizeof':
      case 'Offsetof':
        return { type: t, v: this.constInt(this.a.constants.get(e)!) };
      case 'Tuple': {
        if (t.kind !== 'tuple') throw new Error('internal: tuple type');
        const buf = this.zeroed(sizeOf(t), 'tuple');
        const { offsets } = tupleLayout(t);
        e.elems.forEach((x, i) => this.storeValue(this.emit(x), b.byteOffset(buf, offsets[i], c.int(8)), t.elems[i]));
        return { type: t, v: buf };
      }
      case 'Index':
        return emitIndex(this, e, this.a.constants.get(e.index)!, this.a.kernelFields.get(e.target));
      case 'TupleAccess': {
        const tt = this.typeOf(e.target);
        const base = this.emit(e.target).v;
        if (tt.kind !== 'tuple') throw new Error('internal: tuple access');
        const p = b.byteOffset(base, tupleLayout(tt).offsets[e.index], c.int(8));
        if (t.kind === 'int') {
          const it = c.int(t.bits);
          return { type: t, v: b.intCast(b.load(it, b.bitcast(p, c.ptr(it))), this.i64, t.signed) };
        }
        return { type: t, v: p };
      }
      default:
        throw new Error(`internal: expression ${e.kind} reached codegen`);
    }
  }

  /** A tracepoint field: integers load straight from the context; arrays are copied out. A uprobe
   * parameter on the stack is read from user memory above the stack pointer in struct pt_regs; a
   * struct passed in registers is put together from them. */
  private field(name: string, t: Type): CgValue {
    const { b, c } = this;
    const f = this.probe.format!.fields.find((x) => x.name === name)!;
    if (f.regs) {
      // Copied out of pt_regs eightbyte by eightbyte; the copy is then read like any struct copy.
      const buf = this.zeroed(f.regs.length * 8, 'regs');
      f.regs.forEach((off, i) => b.store(b.load(this.i64, b.byteOffset(this.ctxArg, off, this.i64)), b.byteOffset(buf, i * 8, this.i64)));
      return { type: t, v: b.ptrToInt(buf, this.i64) };
    }
    if (f.stack) {
      const sp = b.load(this.i64, b.byteOffset(this.ctxArg, PT_REGS_SP, this.i64));
      return readAt(this, b.binop(Opcode.Add, sp, this.constInt(f.offset)), t, 'user');
    }
    const ft = fieldType(f);
    if (ft.kind === 'int' && f.copied) {
      const slot = this.zeroed(8, 'field');
      b.helper(probeReadHelper('kernel'), this.i64, [this.i8p, c.int(32), this.i8p], [slot, c.constInt(c.int(32), f.size), b.byteOffset(this.ctxArg, f.offset, c.int(8))]);
      const it = c.int(ft.bits);
      return { type: t, v: b.intCast(b.load(it, b.bitcast(slot, c.ptr(it))), this.i64, ft.signed) };
    }
    if (ft.kind === 'int') {
      const it = c.int(ft.bits);
      const v = b.load(it, b.byteOffset(this.ctxArg, f.offset, it));
      return { type: t, v: b.intCast(v, this.i64, ft.signed) };
    }
    const buf = this.zeroed(sizeOf(ft), 'field');
    b.helper(probeReadHelper('kernel'), this.i64, [this.i8p, c.int(32), this.i8p], [buf, c.constInt(c.int(32), f.size), b.byteOffset(this.ctxArg, f.offset, c.int(8))]);
    return { type: t, v: buf };
  }

  private binary(e: Binary, t: Type): CgValue {
    const { b } = this;
    if (e.op === '&&' || e.op === '||') {
      const f = this.parts.fn;
      const l = this.truthy(this.emit(e.left).v);
      const lEnd = b.insertBlock;
      const rhs = b.appendBlock(f, e.op === '&&' ? 'and_rhs' : 'or_rhs');
      const done = b.appendBlock(f, 'logic_end');
      if (e.op === '&&') b.condBr(l, rhs, done);
      else b.condBr(l, done, rhs);
      b.positionAtEnd(rhs);
      const r = this.truthy(this.emit(e.right).v);
      const rEnd = b.insertBlock;
      b.br(done);
      b.positionAtEnd(done);
      const short = this.c.constInt(this.c.int(1), e.op === '&&' ? 0 : 1);
      return { type: t, v: this.bool(b.phi(this.c.int(1), [[short, lEnd], [r, rEnd]])) };
    }
    const lt = this.typeOf(e.left);
    const rt = this.typeOf(e.right);
    const l = this.emit(e.left).v;
    const r = this.emit(e.right).v;
    if (lt.kind === 'string' && rt.kind === 'string') {
      const eq = this.stringsEqual(l, r, Math.min(lt.size, rt.size));
      return { type: t, v: this.bool(e.op === '==' ? eq : b.not(eq)) };
    }
    return { type: t, v: this.arith(e.op, l, r, lt, rt) };
  }

  /**
   * String equality as C's strncmp(a, b, n) == 0, unrolled byte by byte: bounded, so the verifier
   * accepts it on any kernel, and it stops at the first difference or the common terminator.
   */
  private stringsEqual(a: Val, b8: Val, n: number): Val {
    const { b, c } = this;
    const i8 = c.int(8);
    const i1 = c.int(1);
    const done = b.appendBlock(this.parts.fn, 'streq_end');
    const incoming: [Val, Block][] = [];
    for (let i = 0; i < n; i++) {
      const x = b.load(i8, b.byteOffset(a, i, i8));
      const y = b.load(i8, b.byteOffset(b8, i, i8));
      const differ = b.icmp(IntPredicate.NE, x, y);
      const same = b.appendBlock(this.parts.fn, 'streq_same');
      incoming.push([c.constInt(i1, 0), b.insertBlock]);
      b.condBr(differ, done, same);
      b.positionAtEnd(same);
      const ended = b.icmp(IntPredicate.EQ, x, c.constInt(i8, 0));
      const next = b.appendBlock(this.parts.fn, 'streq_next');
      incoming.push([c.constInt(i1, 1), b.insertBlock]);
      b.condBr(ended, done, next);
      b.positionAtEnd(next);
    }
    incoming.push([c.constInt(i1, 1), b.insertBlock]);
    b.br(done);
    b.positionAtEnd(done);
    return b.phi(i1, incoming);
  }

  private arith(op: Binary['op'], l: Val, r: Val, lt: Type, rt: Type): Val {
    const { b } = this;
    const signed = lt.kind === 'int' && rt.kind === 'int' ? arithSigned(lt, rt) : false;
    // Pointer ± n moves by n elements, as in C.
    if ((op === '+' || op === '-') && isPointer(lt) !== isPointer(rt)) {
      if (isPointer(lt)) r = scaleBy(this, r, lt);
      else if (isPointer(rt)) l = scaleBy(this, l, rt);
    }
    const cmp = (s: IntPredicate, u: IntPredicate) => this.bool(b.icmp(signed ? s : u, l, r));
    switch (op) {
      case '+': return b.binop(Opcode.Add, l, r);
      case '-': return b.binop(Opcode.Sub, l, r);
      case '*': return b.binop(Opcode.Mul, l, r);
      case '/': return signed ? this.signedDivRem('/', l, r) : this.unsignedDivRem('/', l, r);
      case '%': return signed ? this.signedDivRem('%', l, r) : this.unsignedDivRem('%', l, r);
      case '<<': return b.binop(Opcode.Shl, l, r);
      case '>>': return b.binop(signed ? Opcode.AShr : Opcode.LShr, l, r);
      case '&': return b.binop(Opcode.And, l, r);
      case '|': return b.binop(Opcode.Or, l, r);
      case '^': return b.binop(Opcode.Xor, l, r);
      case '==': return this.bool(b.icmp(IntPredicate.EQ, l, r));
      case '!=': return this.bool(b.icmp(IntPredicate.NE, l, r));
      case '<': return cmp(IntPredicate.SLT, IntPredicate.ULT);
      case '<=': return cmp(IntPredicate.SLE, IntPredicate.ULE);
      case '>': return cmp(IntPredicate.SGT, IntPredicate.UGT);
      case '>=': return cmp(IntPredicate.SGE, IntPredicate.UGE);
      default: throw new Error(`internal: operator ${op}`);
    }
  }

  /**
   * Signed `/` and `%` through unsigned ones: the BPF target of LLVM 14 cannot select sdiv/srem
   * (cpu v4's signed division needs kernel 6.6), and aborts on them. C's rounding toward zero:
   * the quotient is negative when the signs differ, the remainder takes the dividend's sign.
   * Division by zero gives BPF's answers (quotient 0, remainder the dividend).
   */
  private signedDivRem(op: '/' | '%', l: Val, r: Val): Val {
    const { b } = this;
    const zero = this.constInt(0);
    const lNeg = b.icmp(IntPredicate.SLT, l, zero);
    const rNeg = b.icmp(IntPredicate.SLT, r, zero);
    const la = b.select(lNeg, b.binop(Opcode.Sub, zero, l), l);
    const ra = b.select(rNeg, b.binop(Opcode.Sub, zero, r), r);
    if (op === '/') {
      const q = this.unsignedDivRem('/', la, ra);
      return b.select(b.binop(Opcode.Xor, lNeg, rNeg), b.binop(Opcode.Sub, zero, q), q);
    }
    const m = this.unsignedDivRem('%', la, ra);
    return b.select(lNeg, b.binop(Opcode.Sub, zero, m), m);
  }

  /**
   * Unsigned `/` and `%` with BPF's answers for a zero divisor (quotient 0, remainder the dividend)
   * spelled out: to LLVM a division by zero is undefined behaviour, and it deletes the paths that
   * could divide by a zero read from a missing map entry, leaving code the verifier rejects.
   */
  private unsignedDivRem(op: '/' | '%', l: Val, r: Val): Val {
    const { b } = this;
    const isZero = b.icmp(IntPredicate.EQ, r, this.constInt(0));
    const divisor = b.select(isZero, this.constInt(1), r);
    if (op === '/') return b.select(isZero, this.constInt(0), b.binop(Opcode.UDiv, l, divisor));
    return b.select(isZero, l, b.binop(Opcode.URem, l, divisor));
  }

  /** `++`/`--`, before or after: the variable or map entry changes, the old or new value results. */
  private step(e: Unary, t: Type): CgValue {
    const { b } = this;
    const step = isPointer(t) ? pointerStep(t) : 1;
    const delta = this.constInt(e.op.startsWith('++') ? step : -step);
    const post = e.op.endsWith('post');
    const target = e.operand;
    if (target.kind === 'Variable') {
      const slot = b.bitcast(this.varSlot(target.name), this.c.ptr(this.i64));
      const old = b.load(this.i64, slot);
      const next = b.binop(Opcode.Add, old, delta);
      b.store(next, slot);
      return { type: t, v: post ? old : next };
    }
    if (target.kind !== 'MapRef') throw new Error('internal: ++ target');
    const { info, global } = this.g.map(`@${target.name}`);
    const key = emitKey(this, info, target.keys);
    const old = this.readMap(info, global, key);
    const next = b.binop(Opcode.Add, old.v, delta);
    const buf = this.valueSlot(info.valueType);
    this.storeValue({ type: info.valueType, v: next }, buf, info.valueType);
    this.countMapFull(update(this, global, key, buf, BPF_ANY));
    return { type: t, v: post ? old.v : next };
  }

  private truthy(v: Val): Val {
    return this.b.icmp(IntPredicate.NE, v, this.constInt(0));
  }

  private bool(i1: Val): Val {
    return this.b.intCast(i1, this.i64, false);
  }

}

/** Names of the variables a block mentions, nested blocks included. */
function namedVars(node: object, out = new Set<string>()): Set<string> {
  const n = node as { kind?: string; name?: string };
  if (n.kind === 'Variable' && n.name) out.add(n.name);
  for (const [k, v] of Object.entries(node)) {
    if (k === 'span' || !v || typeof v !== 'object') continue;
    for (const x of Array.isArray(v) ? v : [v]) if (x && typeof x === 'object') namedVars(x, out);
  }
  return out;
}

/** Names of the variables read in the conditions of the while loops of a probe body. */
function whileConditionVariables(body: unknown): Set<string> {
  const out = new Set<string>();
  const visit = (n: unknown, inCond: boolean): void => {
    if (Array.isArray(n)) { for (const x of n) visit(x, inCond); return; }
    if (!n || typeof n !== 'object') return;
    const node = n as { kind?: string; name?: string; cond?: unknown; span?: unknown };
    if (inCond && node.kind === 'Variable' && typeof node.name === 'string') out.add(node.name);
    for (const [k, v] of Object.entries(node)) {
      if (k === 'span' || !v || typeof v !== 'object') continue;
      visit(v, inCond || (node.kind === 'While' && k === 'cond'));
    }
  };
  visit(body, false);
  return out;
}
