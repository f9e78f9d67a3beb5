// The registry of builtins, functions and aggregations. Adding one is a module and a line here.

import { avg, stats } from './avg';
import { comm } from './comm';
import { count, sum } from './count';
import { cpid } from './cpid';
import { cpu } from './cpu';
import { exit } from './exit';
import { hist, lhist } from './hist';
import { max, min } from './minmax';
import { nsecs } from './nsecs';
import { printf } from './printf';
import { print } from './print';
import { clear } from './clear';
import { zero } from './zero';
import { del } from './delete';
import { time } from './time';
import { argBuiltins, retval } from './probe-args';
import { probe } from './probe-name';
import { gid, pid, tid, uid } from './task-ids';
import { elapsed } from './elapsed';
import { rand } from './rand';
import { cgroup } from './cgroup';
import { curtask } from './curtask';
import { func } from './func';
import { str } from './str';
import { strncmp } from './strncmp';
import type { AggregateDef, BuiltinDef, FunctionDef } from './types';

export type * from './types';

const index = <T extends { name: string }>(defs: T[]): ReadonlyMap<string, T> => new Map(defs.map((d) => [d.name, d]));

export const builtins = index<BuiltinDef>([pid, tid, uid, gid, nsecs, cpu, comm, cpid, probe, retval, ...argBuiltins, elapsed, rand, cgroup, curtask, func]);
export const functions = index<FunctionDef>([printf, exit, print, clear, zero, del, time, str, strncmp]);
export const aggregates = index<AggregateDef>([count, sum, min, max, avg, stats, hist, lhist]);
