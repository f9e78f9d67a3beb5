// Attachers by provider: a new probe type adds one module here and one in src/probes/.

import { interval } from './interval';
import { iter } from './iter';
import { kfunc, kretfunc } from './kfunc';
import { kprobe, kretprobe } from './kprobe';
import { hardware, profile, software } from './perf-events';
import { rawtracepoint } from './rawtracepoint';
import { tracepoint } from './tracepoint';
import { uprobe, uretprobe } from './uprobe';
import { usdt } from './usdt';
import { watchpoint } from './watchpoint';
import type { Attacher } from './types';

export type { Attacher, AttachSession } from './types';

const ATTACHERS: readonly Attacher[] = [tracepoint, rawtracepoint, kprobe, kretprobe, kfunc, kretfunc, uprobe, uretprobe, usdt, interval, profile, software, hardware, iter, watchpoint];

export const attachers: ReadonlyMap<string, Attacher> = new Map(ATTACHERS.map((a) => [a.provider, a]));
