// The registries of builtins, functions and aggregations (value formats: ./formats.ts). Adding one
// is a module and a line here: its name and a loader that requires its module, e.g.
// `str: () => mod<typeof import('./str')>('./str').str,`.
//
// Lazy on purpose: a module (and what it imports: probes, codegen, formatting) loads only when one
// of its names is first looked up. A cached run looks up just the functions its events and maps
// use, so it skips the rest: loading every module here cost ~20 ms of a ~75 ms cached start.
// The "registry" test checks that every key matches its definition's name.

import type { AggregateDef, BuiltinDef, FunctionDef } from './types';
import { mod, Registry } from './registry';

export type * from './types';

export { Registry };
export { formats, formatOf } from './formats';

type TaskIds = typeof import('./task-ids');
type ProbeArgs = typeof import('./probe-args');
type TypeTests = typeof import('./type-tests');
const arg = (n: number) => (): BuiltinDef => mod<ProbeArgs>('./probe-args').argBuiltins[n];
const sarg = (n: number) => (): BuiltinDef => mod<typeof import('./sarg')>('./sarg').sargBuiltins[n];

export const builtins = new Registry<BuiltinDef>({
  pid: () => mod<TaskIds>('./task-ids').pid,
  tid: () => mod<TaskIds>('./task-ids').tid,
  uid: () => mod<TaskIds>('./task-ids').uid,
  gid: () => mod<TaskIds>('./task-ids').gid,
  nsecs: () => mod<typeof import('./nsecs')>('./nsecs').nsecs,
  cpu: () => mod<typeof import('./cpu')>('./cpu').cpu,
  comm: () => mod<typeof import('./comm')>('./comm').comm,
  cpid: () => mod<typeof import('./cpid')>('./cpid').cpid,
  probe: () => mod<typeof import('./probe-name')>('./probe-name').probe,
  retval: () => mod<ProbeArgs>('./probe-args').retval,
  // arg0..arg11: argBuiltins in ./probe-args (its MAX_ARGS).
  arg0: arg(0), arg1: arg(1), arg2: arg(2), arg3: arg(3), arg4: arg(4), arg5: arg(5),
  arg6: arg(6), arg7: arg(7), arg8: arg(8), arg9: arg(9), arg10: arg(10), arg11: arg(11),
  // sarg0..sarg9: sargBuiltins in ./sarg.
  sarg0: sarg(0), sarg1: sarg(1), sarg2: sarg(2), sarg3: sarg(3), sarg4: sarg(4),
  sarg5: sarg(5), sarg6: sarg(6), sarg7: sarg(7), sarg8: sarg(8), sarg9: sarg(9),
  elapsed: () => mod<typeof import('./elapsed')>('./elapsed').elapsed,
  rand: () => mod<typeof import('./rand')>('./rand').rand,
  cgroup: () => mod<typeof import('./cgroup')>('./cgroup').cgroup,
  curtask: () => mod<typeof import('./curtask')>('./curtask').curtask,
  ctx: () => mod<typeof import('./ctx')>('./ctx').ctx,
  func: () => mod<typeof import('./func')>('./func').func,
  kstack: () => mod<typeof import('./stack')>('./stack').kstackBuiltin,
  ustack: () => mod<typeof import('./stack')>('./stack').ustackBuiltin,
  username: () => mod<typeof import('./username')>('./username').username,
  numaid: () => mod<typeof import('./numaid')>('./numaid').numaid,
  jiffies: () => mod<typeof import('./jiffies')>('./jiffies').jiffies,
  ncpus: () => mod<typeof import('./ncpus')>('./ncpus').ncpus,
  usermode: () => mod<typeof import('./usermode')>('./usermode').usermode,
  probetype: () => mod<typeof import('./probetype')>('./probetype').probetype,
  has_cpid: () => mod<typeof import('./cpid')>('./cpid').hasCpid,
  default_str_length: () => mod<TypeTests>('./type-tests').defaultStrLength,
});

export const functions = new Registry<FunctionDef>({
  printf: () => mod<typeof import('./printf')>('./printf').printf,
  exit: () => mod<typeof import('./exit')>('./exit').exit,
  getopt: () => mod<typeof import('./getopt')>('./getopt').getopt,
  unwatch: () => mod<typeof import('./unwatch')>('./unwatch').unwatch,
  'helper-error': () => mod<typeof import('./helper-error')>('./helper-error').helperError,
  print: () => mod<typeof import('./print')>('./print').print,
  clear: () => mod<typeof import('./clear')>('./clear').clear,
  zero: () => mod<typeof import('./zero')>('./zero').zero,
  delete: () => mod<typeof import('./delete')>('./delete').del,
  has_key: () => mod<typeof import('./has-key')>('./has-key').hasKey,
  time: () => mod<typeof import('./time')>('./time').time,
  str: () => mod<typeof import('./str')>('./str').str,
  strncmp: () => mod<typeof import('./strncmp')>('./strncmp').strncmp,
  kaddr: () => mod<typeof import('./kaddr')>('./kaddr').kaddr,
  ntop: () => mod<typeof import('./ntop')>('./ntop').ntop,
  bswap: () => mod<typeof import('./bswap')>('./bswap').bswap,
  join: () => mod<typeof import('./join')>('./join').join,
  cat: () => mod<typeof import('./cat')>('./cat').cat,
  system: () => mod<typeof import('./system')>('./system').system,
  buf: () => mod<typeof import('./buf')>('./buf').buf,
  strftime: () => mod<typeof import('./strftime')>('./strftime').strftime,
  signal: () => mod<typeof import('./signal')>('./signal').signal,
  signal_thread: () => mod<typeof import('./signal')>('./signal').signal_thread,
  syscall_name: () => mod<typeof import('./number-names')>('./number-names').syscall_name,
  signal_name: () => mod<typeof import('./number-names')>('./number-names').signal_name,
  override: () => mod<typeof import('./override')>('./override').override,
  strcontains: () => mod<typeof import('./strcontains')>('./strcontains').strcontains,
  macaddr: () => mod<typeof import('./macaddr')>('./macaddr').macaddr,
  cgroupid: () => mod<typeof import('./cgroupid')>('./cgroupid').cgroupid,
  reg: () => mod<typeof import('./reg')>('./reg').reg,
  kptr: () => mod<typeof import('./address-space')>('./address-space').kptr,
  uptr: () => mod<typeof import('./address-space')>('./address-space').uptr,
  len: () => mod<typeof import('./len')>('./len').len,
  kstack: () => mod<typeof import('./stack')>('./stack').kstack,
  ustack: () => mod<typeof import('./stack')>('./stack').ustack,
  ksym: () => mod<typeof import('./sym')>('./sym').ksym,
  usym: () => mod<typeof import('./sym')>('./sym').usym,
  uaddr: () => mod<typeof import('./uaddr')>('./uaddr').uaddr,
  pton: () => mod<typeof import('./pton')>('./pton').pton,
  strerror: () => mod<typeof import('./strerror')>('./strerror').strerror,
  cgroup_path: () => mod<typeof import('./cgroup-path')>('./cgroup-path').cgroup_path,
  debugf: () => mod<typeof import('./debugf')>('./debugf').debugf,
  errorf: () => mod<typeof import('./errorf')>('./errorf').errorf,
  warnf: () => mod<typeof import('./errorf')>('./errorf').warnf,
  path: () => mod<typeof import('./path')>('./path').path,
  strlen: () => mod<typeof import('./strlen')>('./strlen').strlen,
  strstr: () => mod<typeof import('./strstr')>('./strstr').strstr,
  str_concat: () => mod<typeof import('./str-concat')>('./str-concat').strConcat,
  nsecs: () => mod<typeof import('./nsecs')>('./nsecs').nsecsOf,
  pid: () => mod<TaskIds>('./task-ids').pidOf,
  tid: () => mod<TaskIds>('./task-ids').tidOf,
  fail: () => mod<typeof import('./fail')>('./fail').fail,
  is_str: () => mod<TypeTests>('./type-tests').typeTest('is_str'),
  is_ptr: () => mod<TypeTests>('./type-tests').typeTest('is_ptr'),
  is_array: () => mod<TypeTests>('./type-tests').typeTest('is_array'),
  is_integer: () => mod<TypeTests>('./type-tests').typeTest('is_integer'),
  is_unsigned_integer: () => mod<TypeTests>('./type-tests').typeTest('is_unsigned_integer'),
  is_literal: () => mod<TypeTests>('./type-tests').typeTest('is_literal'),
  strcap: () => mod<TypeTests>('./type-tests').strcap,
  memcmp: () => mod<typeof import('./memcmp')>('./memcmp').memcmp,
  write_user: () => mod<typeof import('./write-user')>('./write-user').writeUser,
});

type Count = typeof import('./count');
type Avg = typeof import('./avg');
type Hist = typeof import('./hist');
type MinMax = typeof import('./minmax');
export const aggregates = new Registry<AggregateDef>({
  count: () => mod<Count>('./count').count,
  sum: () => mod<Count>('./count').sum,
  min: () => mod<MinMax>('./minmax').min,
  max: () => mod<MinMax>('./minmax').max,
  avg: () => mod<Avg>('./avg').avg,
  stats: () => mod<Avg>('./avg').stats,
  hist: () => mod<Hist>('./hist').hist,
  lhist: () => mod<Hist>('./hist').lhist,
  tseries: () => mod<typeof import('./tseries')>('./tseries').tseries,
});

/** The aggregation whose values a map holds. */
export function aggregateOf(name: string): AggregateDef {
  const a = aggregates.get(name);
  if (!a) throw new Error(`internal: no aggregation ${name}`);
  return a;
}
