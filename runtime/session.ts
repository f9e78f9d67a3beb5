// One tracing session: load → attach → BEGIN → events until exit()/Ctrl-C/SIGTERM/-c ends → END →
// print maps → detach. Every path out goes through close(), and the kernel objects are fd-based and
// unpinned, so nothing stays loaded even if the process dies.

import { functions, type RuntimeServices } from '../src/functions';
import type { CompiledProgram } from '../src/compiled';
import { BpfscriptError, error, render } from '../common/diagnostics';
import type { ProbeMeta } from '../src/compiled';
import { Stat, mapFullWarning, readStat } from './stats';
import { attachers, attachPreferringTwin, type AttachRecordHandler } from './attach';
import { startStopped, type TracedChild } from './child';
import { createOutput, writeAll, type OutputSink } from './output';
import { ScriptMaps } from './read-maps';
import { BpfObject, LibbpfError, RingBuffer, numPossibleCpus, type BpfLink } from './libbpf';
import { loadProgram } from './load';
import { EventPump } from './event-pump';
import { createHost } from './format/host';
import { dialectStyle } from './format/dialects';
import { decodeValue } from './format/decode';
import { onSigusr1 } from './signals';
import { unwatch } from './watched';
import { useLibbpfFeatureProbes } from './feature-probes';
import type { ModeHost, RunMode } from './test-mode';
import type { ListenAddress } from './metrics/address';
import type { Exporter } from './metrics/exporter';

export type { RunOptions } from './run-options';
import type { RunOptions } from './run-options';

/** Records handled per drain; bounded so signals and timers stay responsive under a flood. */
const DRAIN_BUDGET = 65536;
/** What run() returns when stdout's reader went away; the CLI then dies of SIGPIPE as bpftrace does. */
export const EXIT_OUTPUT_CLOSED = 128 + 13;
/** bpftrace 0.26's advice when a probe cannot be attached. */
const MISSING_HINT = "if this is expected, set the 'missing_probes' config variable to 'warn'";

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
  /** Programs left unattached under config missing_probes = warn or ignore. */
  private readonly skipped = new Set<string>();
  private exporter: Exporter | null = null;

  constructor(
    private readonly gen: CompiledProgram,
    private readonly opts: RunOptions,
  ) {
    for (const e of gen.meta.events) this.handlers.set(e.id, { fn: e.fn, data: e.data });
    if (opts.flamegraph !== undefined) (require('./flamegraph') as typeof import('./flamegraph')).openFlamegraph(opts.flamegraph);
    this.out = createOutput({
      format: opts.format,
      file: opts.outputFile,
      buffering: opts.buffering,
      sources: opts.sources,
      dialect: gen.meta.dialect,
      noWarnings: opts.noWarnings,
      onFailure: (f) => {
        if (f.kind === 'closed') {
          // As bpftrace, which dies of SIGPIPE at its next write: `| head -1` ends the session.
          this.outputClosed = true;
          this.requestExit();
        } else this.fail(`failed to write the output${opts.outputFile !== undefined ? ` to ${opts.outputFile}` : ''}: ${errnoText(f.error)}`);
      },
    });
    // Value formats read stack maps from the loaded object, and nothing once it is closed.
    const host = createHost((name) => this.obj?.findMap(name) ?? undefined, gen.meta.strTruncTrailer);
    this.maps = new ScriptMaps(gen.meta.maps, (name) => this.obj!.map(name), numPossibleCpus(), host, dialectStyle(gen.meta.dialect).zeroCountsPrint);
    this.services = {
      dialect: gen.meta.dialect,
      decode: (t, view, off) => decodeValue(t, view, off, host),
      write: (t) => this.out.printf(t),
      output: this.out,
      maps: this.maps,
      requestExit: (code?: number) => {
        // exit(code) (bpftrace 0.21+): the first code asked for is the session's exit status.
        if (code !== undefined) this.exitCode ??= code;
        this.requestExit();
      },
      unwatch,
      diagnostic: (severity, message, span) => {
        if (severity === 'WARNING' && this.opts.noWarnings) return;
        // After the output before it, as bpftrace's stderr follows its stdout on a terminal.
        this.out.flush();
        writeAll(2, render({ severity, message, span }, this.opts.sources));
      },
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

  /** The status exit(code) asked for. */
  private exitCode: number | undefined;

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

    const runAll = (at: ProbeMeta['runOnce']) => {
      for (const p of meta.probes) if (p.runOnce === at) this.obj!.program(p.progName).testRun();
    };
    const signalProbes = meta.probes.some((p) => p.runOnce === 'signal');
    // SIGUSR1 runs the script's self:signal:SIGUSR1 probes in order; without them bpftrace 0.17
    // prints every map and tracing goes on, and 0.24+ does nothing.
    onSigusr1(() => {
      if (signalProbes) runAll('signal');
      else if (meta.dialect === '0.26') return;
      this.drain(ring);
      if (!signalProbes) this.out.allMaps(this.maps.readAll());
      this.out.flush();
    });
    // Test and bench probes run only in their mode, and are never attached.
    const modeOnly = (p: ProbeMeta) => p.runOnce === 'test' || p.runOnce === 'bench';
    const attachable = meta.probes.filter((p) => !p.runOnce);
    if (!this.opts.mode && meta.probes.every(modeOnly)) {
      const flag = meta.probes.some((p) => p.runOnce === 'test') ? '--test' : '--bench';
      throw new BpfscriptError({ severity: 'ERROR', message: `No probes attached; use ${flag} to run ${flag.slice(2)} probes.` });
    }
    if (this.opts.mode) return this.runMode(this.opts.mode, ring, runAll);
    // A deferred probe is attached later by another probe's runtime (a watchpoint's body, once its
    // uprobe reports the address); bpftrace does not count it.
    const n = meta.probes.filter((p) => !modeOnly(p) && !attachers.get(p.provider)?.deferred?.(p)).length;
    const style = dialectStyle(meta.dialect);
    const announce = () => {
      if (!this.opts.quiet) this.out.attached(n);
      this.out.flush();
    };
    // 0.17 says "Attaching" before attaching; 0.26 says "Attached" once it has.
    if (!style.announcesAfterAttach) announce();
    // As in bpftrace 0.17, BEGIN runs before the other probes are attached (an interval probe
    // then fires a whole interval after it); its output is printed from the ring below.
    runAll('begin');
    const reversed = (p: ProbeMeta) => {
      const last = attachers.get(p.provider)?.lastAttachedRunsFirst;
      return last === true || (last === '0.17' && meta.dialect !== '0.26');
    };
    for (const p of [...attachable.filter((p) => !reversed(p)), ...attachable.filter(reversed).reverse()]) this.attach(p);
    // bpftrace 0.26 returns from a dry run right after attaching, before any output.
    if (this.opts.dryRun && style.dryRunSilent) return 0;
    if (style.announcesAfterAttach) announce();

    if (this.opts.metrics && !this.opts.dryRun) await this.serveMetrics(this.opts.metrics);
    if (this.opts.dryRun) this.stopping = true;
    // bpftrace 0.21+ ends by itself when there is nothing but BEGIN and END to run.
    else if (this.jobs.length || (attachable.length === 0 && style.endsWithoutProbes && !signalProbes && !this.opts.command)) {
      for (const j of this.jobs.splice(0)) j();
      this.stop();
    }

    this.child?.exited.then(() => this.stop());
    this.child?.resume();
    // bpftrace's runtime-test engine starts a test's AFTER command when it reads this; bpftrace
    // writes it before it reads BEGIN's first output.
    if (process.env.__BPFTRACE_NOTIFY_PROBES_ATTACHED) writeAll(dialectStyle(meta.dialect).notifyFd, '__BPFTRACE_NOTIFY_PROBES_ATTACHED\n');
    this.drain(ring);
    if (!this.stopping) await this.loop(ring);

    if (!this.opts.dryRun) {
      // Probes go before the last drain and END, as in bpftrace: a probe still firing (a busy -c
      // command) must not slip events in after exit() while END's own are printed.
      this.detach();
      // The last drains wait for system() commands, so a signal can still come: it skips the rest.
      await this.drainAll(ring);
      this.inEnd = true;
      runAll('end');
      await this.drainAll(ring);
      if (meta.printMapsOnExit !== false && !this.exporter) this.printMaps();
    }
    this.reportStats();
    this.out.flush();
    if (this.outputClosed) return EXIT_OUTPUT_CLOSED;
    return this.failure === undefined ? (this.exitCode ?? 0) : 1;
  }

  /** --test / --bench: BEGIN, the mode's probes one by one, END; no map is printed after. */
  private async runMode(mode: RunMode, ring: RingBuffer, runAll: (at: ProbeMeta['runOnce']) => void): Promise<number> {
    runAll('begin');
    await this.drainAll(ring);
    const host: ModeHost = {
      program: (p) => this.obj!.program(p.progName),
      drain: () => {
        this.drain(ring, Infinity);
        this.exitRequested = false;
        this.stopping = false;
      },
      out: this.out,
      divert: () => this.out.divert?.() ?? (() => ''),
      takeFailure: () => {
        const failed = this.failure !== undefined;
        this.failure = undefined;
        return failed;
      },
    };
    const { runModeProbes } = require('./test-mode') as typeof import('./test-mode');
    const status = runModeProbes(mode, this.gen.meta.probes, host, (t) => writeAll(2, t));
    this.inEnd = true;
    runAll('end');
    await this.drainAll(ring);
    this.out.flush();
    return status;
  }

  private load(): void {
    this.obj = loadProgram(this.gen, this.child?.pid ?? 0, this.opts.sources?.keys(), this.opts.config, { noFentry: this.opts.noFentry, say: this.say });
  }

  /**
   * A probe type this kernel lacks fails the whole run before anything is attached, unless the
   * script's missing_probes says to skip such probes.
   */
  private checkKernelSupport(): void {
    for (const p of this.gen.meta.probes) {
      const no = attachers.get(p.provider)?.unavailable?.(p);
      if (!no) continue;
      if (!this.skipMissing(p, no.missing)) throw new BpfscriptError({ severity: 'ERROR', message: `cannot attach ${p.name}: ${no.missing}`, hint: no.instead ?? MISSING_HINT });
    }
  }

  /** config missing_probes warn/ignore: `p` is left out (with a warning for warn); false under error. */
  private skipMissing(p: ProbeMeta, why: string): boolean {
    const mode = this.gen.meta.missingProbes;
    if (mode !== 'warn' && mode !== 'ignore') return false;
    if (this.skipped.has(p.progName)) return true;
    this.skipped.add(p.progName);
    if (mode === 'warn' && !this.opts.noWarnings) writeAll(2, `WARNING: Unable to attach probe: ${p.name}. Skipping. (${why})\n`);
    return true;
  }

  private readonly say = (line: string): void => void (this.opts.verbose && writeAll(2, `${line}\n`)); // -v: the twin's fallback

  private attach(p: ProbeMeta): void {
    const attacher = attachers.get(p.provider);
    if (!attacher) throw error(`probe type ${p.provider} cannot be attached yet`);
    try {
      const pid = this.opts.pid ?? this.child?.pid;
      this.links.push(...attachPreferringTwin(this.obj!, p, (prog, q) => attacher.attach(prog, q, { pid, verbose: this.opts.verbose, onDetach: (u) => this.undo.push(u), runOnce: (j) => this.jobs.push(j), onRecord: (id, h) => this.attachRecords.set(id, h) }), this.say));
    } catch (e) {
      if (!(e instanceof LibbpfError)) throw e;
      if (this.skipMissing(p, e.message)) return;
      const why = attacher.explain?.(e.errno);
      throw new BpfscriptError({ severity: 'ERROR', message: `failed to attach ${p.name}: ${e.message}`, hint: why ?? MISSING_HINT });
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

  private async serveMetrics(addr: ListenAddress): Promise<void> {
    // Required here: prom-client is loaded only by runs that serve metrics.
    const { Exporter } = require('./metrics/exporter') as typeof import('./metrics/exporter');
    const { meta } = this.gen;
    this.exporter = await Exporter.start(addr, {
      maps: meta.maps,
      settings: meta.metrics,
      read: () => this.maps.readAll(),
      stat: (s) => this.readStat(s),
      warn: (text) => {
        if (!this.opts.noWarnings) writeAll(2, `${text}\n`);
      },
    });
    if (!this.opts.quiet) writeAll(2, `Serving the maps at ${this.exporter.url(addr)}\n`);
  }

  private printMaps(): void {
    try {
      const maps = this.maps.readAll();
      this.out.exitMaps(maps);
      if (this.opts.flamegraph !== undefined) this.writeFlamegraph(this.opts.flamegraph, maps);
    } catch (e) {
      this.fail(`failed to print the maps: ${(e as Error).message}`);
    }
  }

  private writeFlamegraph(file: string, maps: ReturnType<ScriptMaps['readAll']>): void {
    const { writeFlamegraph, flamegraphTitle } = require('./flamegraph') as typeof import('./flamegraph');
    try {
      writeFlamegraph(file, maps, { title: flamegraphTitle(this.opts.sources), warn: this.opts.noWarnings ? undefined : (l) => writeAll(2, `${l}\n`) });
    } catch (e) {
      this.fail(`failed to write the flame graph to ${file}: ${(e as Error).message}`);
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
    return readStat(this.obj?.findMap(this.gen.meta.statsMap), which);
  }

  private reportStats(): void {
    if (!this.obj) return;
    this.reportLost();
    if (this.lostReported > 0n && !this.opts.noWarnings) this.out.lostTotal(this.lostReported);
    const full = this.readStat(Stat.MapFull);
    this.out.flush();
    // bpftrace 0.17 drops such updates silently; a lost key should never go unnoticed.
    if (full > 0n && !this.opts.noWarnings) writeAll(2, mapFullWarning(full));
  }

  private detach(): void {
    for (const u of this.undo.splice(0)) u();
    for (const l of this.links.splice(0)) l.destroy();
  }

  close(): void {
    this.exporter?.close();
    this.exporter = null;
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
