// asyncwatchpoint:FUNC+argN: watchpoint:FUNC+argN's runtime (watchpoint-args.ts) without stopping
// the process; the same kernel support and the same errors.

import type { WatchpointAttach } from '../../src/probes/watchpoint.attach';
import type { Attacher } from './types';
import { watchpoint } from './watchpoint';

export const asyncwatchpoint: Attacher<WatchpointAttach> = { ...watchpoint, provider: 'asyncwatchpoint' };
