// Attachers by provider: a new probe type adds one module here and one in src/probes/.

import { interval } from './interval';
import { tracepoint } from './tracepoint';
import type { Attacher } from './types';

export type { Attacher } from './types';

const ATTACHERS: readonly Attacher[] = [tracepoint, interval];

export const attachers: ReadonlyMap<string, Attacher> = new Map(ATTACHERS.map((a) => [a.provider, a]));
