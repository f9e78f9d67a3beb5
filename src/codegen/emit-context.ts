// The state of emitting one BPF program (one attach point of a probe) and the EmitContext services
// builtins, functions and aggregations emit themselves through: stack slots within a budget and the
// per-CPU scratch map past it, shared maps, static functions, event submission, stats and config.
// The IR of statements, expressions, loops and map access is in modules of functions over it.

import type { Call, Expr, Span } from '../ast';
import type { CgValue, ConfigName, EmitContext, LanguageOptions } from '../functions';
import type { AnalyzedProbe, Analysis, MapInfo } from '../semantic/checked-program';
import { Stat } from '../compiled';
import type { ExpandedProbe } from '../probes';
import { stringType, type Type } from '../../common/types';
import { Builder, DW_ATE_signed, IntPredicate, Linkage, Opcode, type Block, type Context, type DIBuilder, type Fn, type Meta, type Module, type Ty, type Val } from './llvm';
import { BpfMapType, MapDefBuilder, type MapDef } from './map-defs';
import { ifNotNull, lookup } from './maps';
import { emitExpr } from './expressions';
import { storeInSlot } from './slots';
import { BpfHelper } from '../../common/kernel/bpf-helpers';
import { preserveStructAccess } from './llvm';
import { coreStructType } from './core-types';
import type { CoreMember } from '../semantic/core-member';

export interface ModuleGlobals {
  events: Val;
  stats: Val;
  zeroes: Val;
  config(name: ConfigName): { ptr: Val; type: Ty; index: number };
  map(name: string): { info: MapInfo; global: Val };
  /** Set by exit() when the script has one: attached probes then return at once (emitProgram). */
  exited?: Val;
}

interface FnParts {
  c: Context;
  m: Module;
  b: Builder;
  di: DIBuilder;
  fn: Fn;
  sp: Meta;
  /**
   * What the function returns when the probe's work ends early (a failed scratch lookup, exit()):
   * 0 from a program; from a loop's callback, the value that stops the loop, of its return type.
   */
  abort?: Val;
  /**
   * In a loop's callback: the address of the flag its caller reads after the loop, so an early end
   * (return, exit(), a failed scratch lookup) ends the caller too, not only the loop.
   */
  returned?: (b: Builder) => Val;
}

/**
 * Records are submitted with the default flags: the kernel then wakes the reader only for a record
 * that lands where the reader's position is, i.e. the first one after the reader caught up. That
 * wakes an idle session (runtime/event-pump.ts sleeps on the ring's epoll fd) and costs at most one
 * wakeup per drain under load, when the session drains on its ~1 ms timer. A wakeup on every
 * record (BPF_RB_FORCE_WAKEUP) queues an irq_work and raises a self-IPI, a VM exit here: with it, a
 * printf per getppid() (bench throughput suite) cost ~1,000 ns a call; without it ~500-650 ns.
 */
const RINGBUF_FLAGS = 0;
/** Values bigger than this, or past the stack budget, go to the per-CPU scratch map. */
const STACK_VALUE_MAX = 64;
/** Stack bytes our own slots may take; LLVM needs the rest of the 512 for spills and calls. */
const STACK_BUDGET = 256;
/** Largest memset LLVM's BPF backend reliably turns into stores (64 8-byte stores). */
const MEMSET_CHUNK = 512;

/** Maps defined through sharedMap(), per module being generated. */
const sharedMaps = new WeakMap<Module, Map<string, Val>>();

export class ProbeEmitter implements EmitContext {
  readonly c: Context;
  readonly b: Builder;
  readonly m: Module;
  readonly probe: ExpandedProbe;
  readonly ctxArg: Val;
  readonly i64: Ty;
  readonly i8p: Ty;
  readonly allocaBlock: Block;
  /** Slots of the $variables by name (slots.ts); a range loop's callback starts with the probe's own. */
  readonly vars = new Map<string, Val>();
  /** Values already emitted for these expressions (an aggregation's arguments, see updateAggregate). */
  readonly evaluated = new Map<Expr, CgValue>();
  private stackUsed = 0;
  /** Bytes of this program's scratch map handed out so far, and which of them start zeroed. */
  private scratchUsed = 0;
  /** Offsets of scratch regions every call site with the same key reuses (see scratch()). */
  private readonly sharedScratch = new Map<string, number>();
  private scratchZeroed: { offset: number; size: number }[] = [];
  /** Stack slot holding the scratch map's value pointer, set on entry (null until first used). */
  scratchSlot: Val | null = null;
  /**
   * Where the addresses of zeroed scratch slots (variables that did not fit the stack) are
   * computed: after the scratch value is found and before the body, so the address dominates
   * every use, however many branches and unrolled copies use the variable.
   */
  private scratchAddrs: Block | null = null;
  /** Innermost loop last: where break and continue go. */
  loops: { brk: Block; cont: Block }[] = [];

  constructor(
    readonly a: Analysis,
    readonly p: AnalyzedProbe,
    readonly parts: FnParts,
    readonly g: ModuleGlobals,
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

  /** On entry: finds this CPU's scratch value and zeroes the parts handed out as zeroed slots. */
  initScratch(body: Block): void {
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
    this.returnEarly();
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
        if (!first) b.helper(BpfHelper.GET_SMP_PROCESSOR_ID, c.int(32), [], []);
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

  at(span: Span): void {
    // The line info has one file, the script's (its text is embedded): code copied from a macro
    // in another file (the standard library, an import) is placed at the call it came through, and
    // code of a probe an imported file defines has no line (its lines are not the script's).
    let s: Span | undefined = span;
    while (s && s.file !== this.a.program.span.file) s = s.expandedFrom;
    this.b.setDebugLocation(this.parts.di.location(s?.line ?? 0, s?.col ?? 0, this.parts.sp));
  }

  readonly statics = new Map<string, Fn>();

  staticFunction(name: string, ret: Ty, params: Ty[], build: (b: Builder, fn: Fn) => void): Fn {
    const full = `${this.p.progName}_${name}`;
    const known = this.statics.get(full);
    if (known) return known;
    const f = this.m.addFunction(full, this.c.fnType(ret, params));
    this.m.setLinkage(f, Linkage.Internal);
    const { di } = this.parts;
    const line = this.p.probe.span.file === this.a.program.span.file ? this.p.probe.span.line : 0;
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

  emit(e: Expr): CgValue {
    return emitExpr(this, e);
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
    if (!stackOnly && (bytes > (this.a.config.onStackLimit ?? STACK_VALUE_MAX) || this.stackUsed + bytes > STACK_BUDGET)) {
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
    storeInSlot(this, v, dst, slotType);
  }

  submitEvent(record: Val, size: number): void {
    const { b, i64, i8p } = this;
    const rb = b.bitcast(this.g.events, i8p);
    const r = b.helper(BpfHelper.RINGBUF_OUTPUT, i64, [i8p, i8p, i64, i64], [rb, record, this.constInt(size), this.constInt(RINGBUF_FLAGS)]);
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

  countMapFull(r: Val): void {
    const { b } = this;
    const yes = b.appendBlock(this.parts.fn, 'map_full');
    const done = b.appendBlock(this.parts.fn, 'stored');
    b.condBr(b.icmp(IntPredicate.SLT, r, this.constInt(0)), yes, done);
    b.positionAtEnd(yes);
    this.bumpStat(Stat.MapFull);
    b.br(done);
    b.positionAtEnd(done);
  }

  bumpStat(which: Stat): void {
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

  /** Ends the function here: the program, or in a loop's callback the loop (see FnParts.abort). */
  returnEarly(): void {
    if (this.parts.returned) this.b.store(this.constInt(1), this.b.bitcast(this.parts.returned(this.b), this.c.ptr(this.i64)));
    this.b.ret(this.parts.abort ?? this.c.constInt(this.c.int(32), 0));
  }

  /** exit(): from now on attached probes do nothing, however long user space takes to detach them. */
  markExited(): void {
    if (this.g.exited) this.b.store(this.constInt(1), this.g.exited);
  }

  returnFromProgram(): void {
    const { b } = this;
    this.returnEarly();
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

  configBytes(name: ConfigName): Val {
    const cfg = this.g.config(name);
    return this.b.bitcast(this.b.structGep(cfg.type, cfg.ptr, cfg.index), this.i8p);
  }

  relocatedMember(base: Val, struct: string, member: string, shape: CoreMember, offset: number): Val {
    return preserveStructAccess(this.m, this.b, base, coreStructType(this.parts.di, struct, member, shape, offset));
  }

  config(name: ConfigName): Val {
    const cfg = this.g.config(name);
    const p = this.b.structGep(cfg.type, cfg.ptr, cfg.index);
    return this.b.load(this.i64, p, name, true);
  }

  truthy(v: Val): Val {
    return this.b.icmp(IntPredicate.NE, v, this.constInt(0));
  }

  bool(i1: Val): Val {
    return this.b.intCast(i1, this.i64, false);
  }

  loopVarNames: Set<string> | null = null;
}
