// What this kernel can attach, read from sysfs, so a missing mechanism is reported before anything
// is attached, naming what is missing and what to use instead.

import { existsSync } from 'node:fs';

const PMU = '/sys/bus/event_source/devices';

export const hasKprobes = (): boolean => existsSync(`${PMU}/kprobe`);
export const hasUprobes = (): boolean => existsSync(`${PMU}/uprobe`);
export const hasHardwareCounters = (): boolean => existsSync(`${PMU}/cpu`) || existsSync(`${PMU}/armv8_pmuv3_0`);
