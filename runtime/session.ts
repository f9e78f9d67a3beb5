// One tracing session: load → attach → BEGIN → events until exit()/Ctrl-C/SIGTERM/-c ends → END →
// print maps → detach. Every path out goes through close(), and the kernel objects are fd-based and
// unpinned, so nothing stays loaded even if the process dies.

import { functions, type RuntimeServices } from '../src/functions';
import type { CompiledProgram } from '../src/compiled';
import { BpfscriptError, error, type Sources } from '../src/diagnostics';
import { Stat, type ProbeMeta } from '../src/compiled';
import { attachers, type AttachRecordHandler } from './attach';
import { startStopped, type TracedChild } from './child';
import { createOutput, writeAll, type BufferMode, type OutputFormat, type OutputSink } from './output';
import { ScriptMaps } from './read-maps';
import { BpfObject, LibbpfError, RingBuffer, numPossibleCpus, type BpfLink } from './libbpf';
import { explainLoadFailure } from './verifier';
import { EventPump } from './event-pump';
import { createHost } from './format/host';
import { decodeValue } from './format/decode';
import { onSigusr1 } from './signals';
import { unwatch } from './watched';
import { useLibbpfFeatureProbes } from './feature-probes';

export interface RunOptions {
  command?: string;
  /** -p PID: uprobes and usdt probes attach to this process only. */
  pid?: number;
  dryRun?: boolean;
  /** -f: text (default) or json. */
  format?: OutputFormat;
  /** -o FILE: output to FILE instead of stdout. */
  outputFile?: string;
  /** -v: attachers say which mechanism they use. */
  verbose?: boolean;
  /** -q: no "Attaching N probes..." line. */
  quiet?: boolean;
  /** --no-warnings: no WARNING lines on stderr. */
  noWarnings?: boolean;
  /** -B: stdout buffering. */
  buffering?: BufferMode;
  /** --unsafe was given for this run. */
  unsafe?: boolean;
  /** The script's text by file name, for run-time warnings that show its lines (-k). */
  sources?: Sources;
  /** More read-only config slots by name (an artifact's positional parameters: argc, arg1 …). */
  config?: Record<string, bigint | Buffer>;
}

/** Records handled per drain; bounded so signals and timers stay responsive under a flood. */
const DRAIN_BUDGET = 65536;
/** What run() returns when stdout's reader went away; the CLI then dies of SIGPIPE as bpftrace does. */
export const EXIT_OUTPUT_CLOSED = 128 + 13;

/** strerror()'s wording from a Node error ("ENOSPC: no space left on device, write"). */
function errnoText(e: NodeJS.ErrnoException): string {
  const text = e.code && e.message.startsWith(`${e.code}: `) ? e.message.slice(e.code.length + 2).replace(/, \w+$/, '') : e.message;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export async function run(gen: CompiledProgram, opts: RunOptions): Promise<number> {
  // The attachers ask the kernel what it refuses (fentry, iterators) before attaching.
  useLibbpfFeatureProbes();
  const s = new Session(gen, opts);
  try {
    return await s.run();
  } finally {
    s.close();
  }
}

class Session {
  private obj: BpfObject | null = null;
  private ring: RingBuffer | null = null;
  private links: BpfLink[] = [];
  /** Undo steps of attachers (usdt semaphores), run before the links go. */
  private undo: (() => void)[] = [];
  /** One-shot jobs of attachers (iterator walks), run after BEGIN; the session then ends. */
  private jobs: (() => void)[] = [];
  private child: TracedChild | null = null;
  private readonly out: OutputSink;
  private readonly maps: ScriptMaps;
  /** Lost records already reported; the BPF side counts them per CPU. */
  private lostReported = 0n;
  private stopping = false;
  /** The first event or output failure, reported on stderr; the run then exits with status 1. */
  private failure: string | undefined;
  /** Stdout's reader went away: the run ends as bpftrace's does, by SIGPIPE. */
  private outputClosed = false;
  /** SIGINT/SIGTERM came: system() commands of events not handled yet are dropped, as bpftrace drops those events. */
  private signalled = false;
  private pump: EventPump | null = null;
  /** Work a record started (a system() command): no record is handled until it settles. */
  private held: Promise<void> | null = null;
  /** After exit() only END's own events are printed, as in bpftrace. */
  private exitRequested = false;
  private inEnd = false;
  private readonly handlers = new Map<number, { fn: string; data: Record<string, unknown> }>();
  /** Records of attachers (AttachSession.onRecord), by id. */
  private readonly attachRecords = new Map<number, AttachRecordHandler>();
  private readonly services: RuntimeServices;

  constructor(
    private readonly gen: CompiledProgram,
    private readonly opts: RunOptions,
  ) {
    for (const e of gen.meta.events) this.handlers.set(e.id, { fn: e.fn, data: e.data });
    this.out = createOutput({
      format: opts.format,
      file: opts.outputFile,
      buffering: opts.buffering,
      sources: opts.sources,
      onFailure: (f) => {
        if (f.kind === 'closed') {
          // As bpftrace, which dies of SIGPIPE at its next write: `| head -1` ends the session.
          this.outputClosed = true;
          this.requestExit();
        } else this.fail(`failed to write the output${opts.outputFile !== undefined ? ` to ${opts.outputFile}` : ''}: ${errnoText(f.error)}`);
      },
    });
    // Value formats read stack maps from the loaded object, and nothing once it is closed.
    const host = createHost((name) => this.obj?.findMap(name) ?? undefined);
    this.maps = new ScriptMaps(gen.meta.maps, (name) => this.obj!.map(name), numPossibleCpus(), host);
    this.services = {
      decode: (t, view, off) => decodeValue(t, view, off, host),
      write: (t) => this.out.printf(t),
      output: this.out,
      maps: this.maps,
      requestExit: () => this.requestExit(),
      unwatch,
      hold: (work) => {
        if (this.signalled && !this.inEnd) return;
        const settled = () => {
          this.held = null;
        };
        this.held = work().then(settled, (e) => {
          settled();
          throw e;
        });
      },
    };
  }

  private requestExit(): void {
    this.exitRequested = true;
    this.stop();
  }

  /**
   * An event that could not be handled (or output that could not be written) ends the session as
   * exit() does, reported once: END still runs and the maps are printed where output still works.
   */
  private fail(message: string): void {
    if (this.failure === undefined) {
      this.failure = message;
      this.out.flush();
      writeAll(2, `ERROR: ${message}\n`);
    }
    this.requestExit();
  }

  async run(): Promise<number> {
    // Handlers go in before the -c command starts and the programs load: a signal during load must
    // end the session through close(), which ends the command, not leave it stopped forever.
    // A reader that saw BEGIN's output and sends SIGINT at once must get END and the maps too.
    const onSignal = () => {
      this.signalled = true;
      this.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      return await this.trace();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      onSigusr1(null);
    }
  }

  private async trace(): Promise<number> {
    const { meta } = this.gen;
    // Checked here, at load, and not only at compile time: a program that comes from a cache entry
    // or a file carries its own permission, which this run's command line must grant again.
    if (meta.unsafe && !this.opts.unsafe) {
      throw new BpfscriptError({ severity: 'ERROR', message: 'this program was compiled with --unsafe and may run commands or send signals', hint: 'run it with --unsafe' });
    }
    // Before loading: some kernels refuse a program type at load already (fentry: EPERM), and the
    // user should hear which probe and why, not a generic load failure.
    this.checkKernelSupport();
    if (this.opts.command) this.child = await startStopped(this.opts.command);
    this.load();
    const ring = (this.ring = new RingBuffer(this.obj!.map(meta.eventsMap)));

    // As bpftrace: SIGUSR1 prints every map now and tracing goes on.
    onSigusr1(() => {
      this.drain(ring);
      this.out.allMaps(this.maps.readAll());
      this.out.flush();
    });
    // A deferred probe is attached later by another probe's runtime (a watchpoint's body, once its
    // uprobe reports the address); bpftrace does not count it.
    const n = meta.probes.filter((p) => !attachers.get(p.provider)?.deferred?.(p)).length;
    if (!this.opts.quiet) this.out.attached(n);
    this.out.flush();
    // As in bpftrace 0.17, BEGIN runs before the other probes are attached (an interval probe
    // then fires a whole interval after it); its output is printed from the ring below.
    for (const p of meta.probes) if (p.runOnce === 'begin') this.obj!.program(p.progName).testRun();
    const attachable = meta.probes.filter((p) => !p.runOnce);
    const reversed = (p: ProbeMeta) => !!attachers.get(p.provider)?.lastAttachedRunsFirst;
    for (const p of [...attachable.filter((p) => !reversed(p)), ...attachable.filter(reversed).reverse()]) this.attach(p);

    if (this.opts.dryRun) this.stopping = true;
    else if (this.jobs.length) {
      for (const j of this.jobs.splice(0)) j();
      this.stop();
    }

    this.child?.exited.then(() => this.stop());
    this.child?.resume();
    // bpftrace's runtime-test engine starts a test's AFTER command when it reads this; bpftrace
    // writes it before it reads BEGIN's first output.
    if (process.env.__BPFTRACE_NOTIFY_PROBES_ATTACHED) writeAll(2, '__BPFTRACE_NOTIFY_PROBES_ATTACHED\n');
    this.drain(ring);
    if (!this.stopping) await this.loop(ring);

    if (!this.opts.dryRun) {
      // Probes go before the last drain and END, as in bpftrace: a probe still firing (a busy -c
      // command) must not slip events in after exit() while END's own are printed.
      this.detach();
      // The last drains wait for system() commands, so a signal can still come: it skips the rest.
      await this.drainAll(ring);
      this.inEnd = true;
      for (const p of meta.probes) if (p.runOnce === 'end') this.obj!.program(p.progName).testRun();
      await this.drainAll(ring);
      this.printMaps();
    }
    this.reportStats();
    this.out.flush();
    if (this.outputClosed) return EXIT_OUTPUT_CLOSED;
    return this.failure === undefined ? 0 : 1;
  }

  private load(): void {
    const { meta, elf } = this.gen;
    const obj = (this.obj = BpfObject.openMem(elf, 'bpfscript'));
    const rodata = obj.findMap('.rodata');
    if (rodata) {
      const init = Buffer.alloc(meta.rodata.size);
      init.writeBigUInt64LE(BigInt(this.child?.pid ?? 0), meta.rodata.offsets.cpid);
      // Node's hrtime is CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns(): `elapsed` counts from here.
      if (meta.rodata.offsets.start_ns !== undefined) init.writeBigUInt64LE(process.hrtime.bigint(), meta.rodata.offsets.start_ns);
      for (const [name, value] of Object.entries(this.opts.config ?? {})) {
        const at = meta.rodata.offsets[name];
        if (at === undefined) continue;
        // A text keeps its last byte for the terminator.
        if (Buffer.isBuffer(value)) value.copy(init, at, 0, Math.min(value.length, (meta.rodata.sizes?.[name] ?? 1) - 1));
        else init.writeBigInt64LE(BigInt.asIntN(64, value), at);
      }
      rodata.setInitialValue(init);
    }
    try {
      obj.load();
    } catch (e) {
      if (e instanceof LibbpfError) throw explainLoadFailure(e, obj.verifierLog);
      throw e;
    }
  }

  /** A probe type this kernel lacks fails the whole run before anything is attached. */
  private checkKernelSupport(): void {
    for (const p of this.gen.meta.probes) {
      const no = attachers.get(p.provider)?.unavailable?.(p);
      if (no) throw new BpfscriptError({ severity: 'ERROR', message: `cannot attach ${p.name}: ${no.missing}`, hint: no.instead });
    }
  }

  private attach(p: ProbeMeta): void {
    const attacher = attachers.get(p.provider);
    if (!attacher) throw error(`probe type ${p.provider} cannot be attached yet`);
    try {
      const pid = this.opts.pid ?? this.child?.pid;
      this.links.push(...attacher.attach(this.obj!.program(p.progName), p, { pid, verbose: this.opts.verbose, onDetach: (u) => this.undo.push(u), runOnce: (j) => this.jobs.push(j), onRecord: (id, h) => this.attachRecords.set(id, h) }));
    } catch (e) {
      if (!(e instanceof LibbpfError)) throw e;
      const why = attacher.explain?.(e.errno);
      throw new BpfscriptError({ severity: 'ERROR', message: `failed to attach ${p.name}: ${e.message}`, hint: why });
    }
  }

  private loop(ring: RingBuffer): Promise<void> {
    // Nothing can arrive on the ring of a program without events: no need to wait on it.
    const eventPath = this.handlers.size > 0 || this.attachRecords.size > 0;
    this.pump = new EventPump({ drain: () => this.drain(ring), blocked: () => this.held, stopping: () => this.stopping }, eventPath ? ring : null);
    return this.pump.run();
  }

  private stop(): void {
    this.stopping = true;
    this.pump?.stop();
  }

  /** Empties the ring, waiting for held work (system() commands) in between. */
  private async drainAll(ring: RingBuffer): Promise<void> {
    for (;;) {
      if (this.held) await this.held;
      if (this.drain(ring, Infinity) === 0 && !this.held) return;
    }
  }

  private drain(ring: RingBuffer, budget = DRAIN_BUDGET): number {
    if (this.held) return 0;
    let total = 0;
    // A timed drain (finite budget) takes what was committed when it began and leaves the rest to
    // the next tick: chasing a slower producer costs it a cache-line bounce per event (see
    // RingBuffer.consume). The final drains (budget Infinity) empty the ring.
    const snapshot = budget !== Infinity;
    for (;;) {
      const n = ring.consume((view, off, len) => this.dispatch(view, off, len), Math.min(budget - total, DRAIN_BUDGET), snapshot);
      total += n;
      if (n === 0 || total >= budget || this.stopping || snapshot || this.held) break;
    }
    // Losses happen only while the ring is full, so a drain that found nothing has none to report.
    if (total > 0) this.reportLost();
    this.out.flush();
    return total;
  }

  /** Returns true to end the drain here: the record started work that later records must wait for. */
  private dispatch(view: DataView, off: number, len: number): boolean {
    if (this.exitRequested && !this.inEnd) return false;
    const id = Number(view.getBigUint64(off, true));
    const h = this.handlers.get(id);
    try {
      if (!h) this.attachRecords.get(id)?.(view, off, len, this.services);
      else functions.get(h.fn)?.event?.handle(h.data, view, off, len, this.services);
    } catch (e) {
      this.fail(`failed to handle ${h ? `a ${h.fn} event` : 'an event'}: ${(e as Error).message}`);
    }
    return this.held !== null;
  }

  private printMaps(): void {
    try {
      this.out.exitMaps(this.maps.readAll());
    } catch (e) {
      this.fail(`failed to print the maps: ${(e as Error).message}`);
    }
  }

  /** Prints bpftrace's "Lost N events" for records dropped since the last report, in stream order. */
  private reportLost(): void {
    const lost = this.readStat(Stat.LostEvents);
    if (lost <= this.lostReported) return;
    this.out.lostEvents(lost - this.lostReported);
    this.lostReported = lost;
  }

  private readStat(which: Stat): bigint {
    const stats = this.obj?.findMap(this.gen.meta.statsMap);
    if (!stats) return 0n;
    const ncpus = numPossibleCpus();
    const key = Buffer.alloc(4);
    const value = Buffer.alloc(8 * ncpus);
    key.writeUInt32LE(which);
    if (!stats.lookup(key, value)) return 0n;
    let sum = 0n;
    for (let c = 0; c < ncpus; c++) sum += value.readBigUInt64LE(c * 8);
    return sum;
  }

  private reportStats(): void {
    if (!this.obj) return;
    this.reportLost();
    const full = this.readStat(Stat.MapFull);
    this.out.flush();
    // bpftrace 0.17 drops such updates silently; a lost key should never go unnoticed.
    if (full > 0n && !this.opts.noWarnings) writeAll(2, `WARNING: ${full} map update${full === 1n ? '' : 's'} dropped: a map was full (it holds BPFTRACE_MAP_KEYS_MAX keys, default 4096; raise that to keep more)\n`);
  }

  private detach(): void {
    for (const u of this.undo.splice(0)) u();
    for (const l of this.links.splice(0)) l.destroy();
  }

  close(): void {
    this.detach();
    this.ring?.close();
    this.ring = null;
    this.obj?.close();
    this.obj = null;
    if (this.child) {
      this.child.resume();
      // As bpftrace does: a command still running when tracing ends (exit(), Ctrl-C) is ended too,
      // rather than bpfscript waiting for it.
      this.child.kill();
      this.child = null;
    }
    this.out.close();
  }
}
