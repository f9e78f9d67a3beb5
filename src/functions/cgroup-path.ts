// cgroup_path(id [, "filter"]): a cgroup id (e.g. the `cgroup` builtin) printed as its path in each
// cgroup hierarchy, "unified:/a/b,pids:/a/b" (cgroupPathFormat; runtime/format/cgroup-path.ts reads the mounts). The probe records
// the id; the filter, a literal with `*` wildcards naming hierarchies, travels in the type.

import { QUOTED_IN_026 } from './formats';
import { none, type StringType } from '../../common/types';
import type { FunctionDef, ValueFormat } from './types';

const HINT = 'e.g. cgroup_path(cgroup) or cgroup_path(cgroup, "unified")';

export const cgroup_path: FunctionDef = {
  examples: [{ script: 'BEGIN { printf("%s\\n", cgroup_path(cgroup)); exit(); }', output: /^\S+\n\n\n$/, sameAs017: true }],
  name: 'cgroup_path',
  check(ctx, call) {
    const [id, filter] = call.args;
    if (call.args.length < 1 || call.args.length > 2) {
      ctx.error(`cgroup_path() takes a cgroup id and an optional hierarchy filter (${call.args.length} arguments provided)`, call, HINT);
      return none;
    }
    const t = ctx.typeOf(id);
    if (t.kind === 'none') return none;
    if (t.kind !== 'int') {
      ctx.error(`cgroup_path() expects an integer cgroup id (${t.kind} provided)`, id, HINT);
      return none;
    }
    if (filter && filter.kind !== 'StrLit') {
      ctx.error('cgroup_path(): the hierarchy filter must be a string literal', filter, HINT);
      return none;
    }
    return type(filter?.value);
  },
  emit(ctx, call) {
    const v = ctx.emit(call.args[0]);
    const out = ctx.zeroed(8, 'cgroup_path');
    ctx.b.store(v.v, ctx.b.bitcast(out, ctx.c.ptr(ctx.i64)));
    const f = call.args[1];
    return { type: type(f?.kind === 'StrLit' ? f.value : undefined), v: out };
  },
};

function type(filter: string | undefined): StringType {
  return { kind: 'string', size: 8, format: 'cgroup_path', pattern: filter ?? '*' };
}

/** The filter travels in the type's pattern; bpftrace 0.17 writes the paths unquoted in JSON. */
export const cgroupPathFormat: ValueFormat = {
  name: 'cgroup_path',
  examples: [{ script: 'BEGIN { @ = cgroup_path(cgroup); exit(); }', output: /^\n\n@: \S+\n$/, sameAs017: true }],
  decode: (view, off, t, host) => host.cgroupPath(view.getBigUint64(off, true), t.pattern ?? '*'),
  json: (v) => String(v),
  jsonIn: QUOTED_IN_026,
  printf: 'string',
};
