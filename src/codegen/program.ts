// Generates one LLVM module for a checked script: the maps, the runtime's own maps (event ring
// buffer, per-CPU stats, read-only config) and one BPF program per attach point.

import type { Analysis, MapInfo } from '../semantic/checked-program';
import { BTF_FILE_PREFIX, Stat, type CompiledProgram, type KernelLayout, type ProgramMeta } from '../compiled';
import { Builder, Context, DIBuilder, DW_ATE_signed, Module, type Fn, type Meta, type Val } from './llvm';
import { MapDefBuilder, BpfMapType } from './map-defs';
import { mapLayout } from './maps';
import { ProbeEmitter, type ModuleGlobals } from './emit-context';
import type { ConfigName } from '../functions';
import { emitProgram } from './statements';

export interface GenerateOptions {
  fileName: string;
  /** The script's text, copied into the BTF line info (see lineTextFor). */
  source?: string;
  /** Also return the optimised IR as text (for --emit-llvm and the teaching view). */
  wantIR?: boolean;
  ringBufferBytes?: number;
}

/** Programs up to which the BTF line info carries the script's text. */
export const LINE_TEXT_MAX_PROGRAMS = 200;

// start_ns: CLOCK_MONOTONIC when the session loaded the program, the origin of `elapsed`.
// ncpus: the possible CPUs of the machine the program runs on.
// wall_at_boot: wall-clock ns when CLOCK_MONOTONIC was 0, so a probe can tell wall-clock time.
/** perf_rb_pages as a ring's size: the kernel takes a power of two of pages. */
function ringBytes(pages: number | undefined): number {
  if (!pages) return 4 << 20;
  let n = 1;
  while (n < pages) n *= 2;
  return n * 4096;
}

/** What of the config block the runtime acts on (only what was set, so old metas read alike). */
function runtimeConfig(a: Analysis): Partial<ProgramMeta> {
  const { missingProbes, printMapsOnExit } = a.config;
  // bpftrace 0.26 marks cut strings with ".." by default; 0.17 has no trailer.
  const strTruncTrailer = a.config.strTruncTrailer ?? (a.dialect === '0.26' ? '..' : undefined);
  return {
    ...(missingProbes ? { missingProbes } : {}),
    ...(printMapsOnExit === false ? { printMapsOnExit } : {}),
    ...(strTruncTrailer !== undefined ? { strTruncTrailer } : {}),
  };
}

/**
 * The debug-info file: the script's name and, for programs of up to LINE_TEXT_MAX_PROGRAMS
 * programs, its text. LLVM 14's BTF writer looks each line's text up in its string table with a
 * linear scan, quadratic in the program's size (bench/NOTES.md), so a larger program keeps the
 * line numbers but not their text, under a name LLVM cannot open from disk.
 */
function debugInfo(m: Module, a: Analysis, opts: GenerateOptions): DIBuilder {
  if (opts.source === undefined || a.probes.length > LINE_TEXT_MAX_PROGRAMS) return new DIBuilder(m, `${BTF_FILE_PREFIX}${opts.fileName}`);
  return new DIBuilder(m, opts.fileName, '', opts.source);
}

const BASE_CONFIG: readonly ConfigName[] = ['cpid', 'start_ns', 'ncpus', 'wall_at_boot'];

/**
 * The read-only slots, with an artifact's positional parameters and getopt() options after the
 * base ones: 8-byte integers, then the texts (`str($N)`, string options), strLen bytes each.
 */
function configFields(a: Analysis): { name: ConfigName; bytes: number; text?: true }[] {
  const ints: ConfigName[] = [...BASE_CONFIG];
  const n = a.loadTimePositionals;
  if (n !== undefined) ints.push('argc', ...n.map((i) => `arg${i}` as const));
  const texts: ConfigName[] = (a.loadTimeTexts ?? []).map((i) => `str${i}` as const);
  // A string option's slot is text; a boolean or integer one (no default: a boolean) is 8 bytes.
  (a.loadTimeOptions ?? []).forEach((o, i) => (o.default?.kind === 'StrLit' ? texts : ints).push(`opt${i}`));
  return [...ints.map((name) => ({ name, bytes: 8 })), ...texts.map((name) => ({ name, bytes: a.strLen, text: true as const }))];
}

/** Where each slot sits in .rodata (integers first, so every one is 8-byte aligned), and the size. */
function rodataLayout(fields: { name: ConfigName; bytes: number; text?: true }[]): ProgramMeta['rodata'] {
  const offsets: Record<string, number> = {};
  const sizes: Record<string, number> = {};
  let at = 0;
  for (const f of fields) {
    offsets[f.name] = at;
    if (f.text) sizes[f.name] = f.bytes;
    at += f.bytes;
  }
  return { size: at, offsets, ...(Object.keys(sizes).length ? { sizes } : {}) };
}

/** ProgramMeta.kernelLayout: each kernel member an artifact reads, once. */
function kernelLayout(a: Analysis): Pick<ProgramMeta, 'kernelLayout'> {
  if (!a.relocatable) return {};
  const seen = new Map<string, KernelLayout>();
  for (const p of a.kernelFields.values()) {
    if (!p.layout) continue;
    const { core: _core, ...where } = p.layout;
    const l = { ...where, offset: p.offset, bytes: p.bytes, bitShift: p.bitShift, bitWidth: p.bitWidth, ...(p.place ? { indexed: true } : {}), ...(p.layout.core ? { relocated: true } : {}) };
    seen.set(JSON.stringify(l), l);
  }
  return seen.size ? { kernelLayout: [...seen.values()] } : {};
}

export function generate(a: Analysis, opts: GenerateOptions): CompiledProgram {
  const c = new Context();
  const m = new Module(c, 'bpfscript');
  const di = debugInfo(m, a, opts);
  const b = new Builder(c);
  try {
    const defs = new MapDefBuilder(m, di);
    const i64 = c.int(64);

    // A license other than GPL's makes the kernel refuse GPL-only helpers at load, as it should.
    const lic = c.constString(a.config.license ?? 'GPL');
    m.addGlobal(c.typeOf(lic), 'LICENSE', { init: lic, section: 'license', align: 1 });

    const events = defs.define({ name: 'events', type: BpfMapType.Ringbuf, maxEntries: opts.ringBufferBytes ?? ringBytes(a.config.perfRbPages) });
    const stats = defs.define({ name: 'stats', type: BpfMapType.PercpuArray, maxEntries: Stat.Count, keySize: 4, valueSize: 8 });
    // Not marked constant in IR, so LLVM cannot fold the zero initialiser; libbpf freezes .rodata
    // after the runtime has set it, so the verifier does see constants.
    const fields = configFields(a);
    const CONFIG_FIELDS = fields.map((f) => f.name);
    const configTy = c.struct(fields.map((f) => (f.text ? c.array(c.int(8), f.bytes) : i64)));
    const config = m.addGlobal(configTy, 'bpfscript_config', { section: '.rodata', align: 8 });

    const mapMetas: ProgramMeta['maps'] = [];
    const mapGlobals = new Map<string, { info: MapInfo; global: Val }>();
    for (const info of [...a.maps.values()].sort((x, y) => (x.name < y.name ? -1 : 1))) {
      const { def, meta } = mapLayout(info, a.mapKeys);
      mapGlobals.set(info.name, { info, global: defs.define(def) });
      mapMetas.push(meta);
    }

    const zeroSize = Math.max(8, ...mapMetas.filter((mm) => mm.perCpu).map((mm) => mm.valueSize));
    const zeroes = defs.define({ name: 'zeroes', type: BpfMapType.Array, maxEntries: 1, keySize: 4, valueSize: zeroSize });
    const globals: ModuleGlobals = {
      events,
      stats,
      zeroes,
      config: (name) => ({ ptr: config, type: configTy, index: CONFIG_FIELDS.indexOf(name) }),
      map: (name) => mapGlobals.get(name)!,
      // A probe firing between exit() and user space detaching it would still count and print.
      ...(a.events.some((e) => e.fn === 'exit') ? { exited: m.addGlobal(i64, 'bpfscript_exited', { section: '.bss', align: 8 }) } : {}),
    };

    const intDI = di.basic('int', 32, DW_ATE_signed);
    const voidPtrDI = di.pointer(null);
    const i8p = c.ptr(c.int(8));
    for (const p of a.probes.flatMap((x) => (x.twin ? [x, x.twin] : [x]))) {
      const fn: Fn = m.addFunction(p.progName, c.fnType(c.int(32), [i8p]), p.expanded.section);
      // A probe of an imported file: its line is not one of the script's (see ProbeEmitter.at).
      const line = p.probe.span.file === a.program.span.file ? p.probe.span.line : 0;
      const sp: Meta = di.function(fn, p.progName, line, intDI, [{ name: 'ctx', type: voidPtrDI }]);
      emitProgram(new ProbeEmitter(a, p, { c, m, b, di, fn, sp }, globals));
      di.finalizeSubprogram(sp);
    }
    di.finalize();

    m.verify();
    m.optimize();
    m.layoutForBpf();
    const ir = opts.wantIR ? m.toString() : undefined;
    const elf = m.emitObject();
    const meta: ProgramMeta = {
      probes: a.probes.map((p) => ({
        progName: p.progName,
        provider: p.expanded.provider,
        name: p.expanded.name,
        attach: p.expanded.attach,
        ...(p.type.runOnce ? { runOnce: p.type.runOnce } : {}),
        ...(p.twin ? { twin: { progName: p.twin.progName, attach: p.twin.expanded.attach } } : {}),
      })),
      maps: mapMetas,
      events: a.events,
      eventsMap: 'events',
      statsMap: 'stats',
      rodata: rodataLayout(fields),
      ...(a.warnings?.length ? { warnings: a.warnings } : {}),
      ...(a.unsafe ? { unsafe: true } : {}),
      ...(a.dialect !== '0.17' ? { dialect: a.dialect } : {}),
      ...runtimeConfig(a),
      ...(a.metrics ? { metrics: a.metrics } : {}),
      ...kernelLayout(a),
    };
    return { elf, meta, ir };
  } finally {
    b.dispose();
    di.dispose();
    m.dispose();
    c.dispose();
  }
}
