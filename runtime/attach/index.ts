// Attachers by provider: a new probe type adds one module here and one in src/probes/.
// Lazy like the function registry: a run loads only the attachers of the probe types it uses.

import { Registry } from '../../src/functions';
import type { Attacher } from './types';
import type { ProbeMeta } from '../../src/compiled';
import type { BpfLink, BpfObject, BpfProgram } from '../libbpf';

export type { Attacher, AttachRecordHandler, AttachSession } from './types';

/** A probe with a twin (runtime/attach/twin.ts) attaches through it; the rest without loading that module. */
export function attachPreferringTwin(obj: BpfObject, p: ProbeMeta, attach: (prog: BpfProgram, probe: ProbeMeta) => BpfLink[], say: (line: string) => void): BpfLink[] {
  if (!p.twin) return attach(obj.program(p.progName), p);
  return mod<typeof import('./twin')>('./twin').attachPreferringTwin(obj, p, attach, say);
}

/** require() with the module's own type (compiled to a plain CommonJS require). */
const mod = <M>(path: string): M => require(path) as M;
type PerfEvents = typeof import('./perf-events');
type Kfunc = typeof import('./kfunc');
type Kprobe = typeof import('./kprobe');
type Uprobe = typeof import('./uprobe');

/** Registry keys are providers; Registry looks definitions up by `name`, so expose it as one. */
const named = (a: Attacher): Attacher & { name: string } => Object.assign(a, { name: a.provider });

export const attachers = new Registry<Attacher & { name: string }>({
  tracepoint: () => named(mod<typeof import('./tracepoint')>('./tracepoint').tracepoint),
  rawtracepoint: () => named(mod<typeof import('./rawtracepoint')>('./rawtracepoint').rawtracepoint),
  kprobe: () => named(mod<Kprobe>('./kprobe').kprobe),
  kretprobe: () => named(mod<Kprobe>('./kprobe').kretprobe),
  kfunc: () => named(mod<Kfunc>('./kfunc').kfunc),
  kretfunc: () => named(mod<Kfunc>('./kfunc').kretfunc),
  uprobe: () => named(mod<Uprobe>('./uprobe').uprobe),
  uretprobe: () => named(mod<Uprobe>('./uprobe').uretprobe),
  usdt: () => named(mod<typeof import('./usdt')>('./usdt').usdt),
  interval: () => named(mod<typeof import('./interval')>('./interval').interval),
  profile: () => named(mod<PerfEvents>('./perf-events').profile),
  software: () => named(mod<PerfEvents>('./perf-events').software),
  hardware: () => named(mod<PerfEvents>('./perf-events').hardware),
  iter: () => named(mod<typeof import('./iter')>('./iter').iter),
  watchpoint: () => named(mod<typeof import('./watchpoint')>('./watchpoint').watchpoint),
  asyncwatchpoint: () => named(mod<typeof import('./asyncwatchpoint')>('./asyncwatchpoint').asyncwatchpoint),
  self: () => named(mod<typeof import('./self')>('./self').self),
});
