// cgroup: the cgroup v2 id of the current task (the inode number of its cgroup directory).

import { u64 } from '../../common/types';
import type { BuiltinDef } from './types';
import { BpfHelper } from '../../common/kernel/bpf-helpers';

export const cgroup: BuiltinDef = {
  examples: [{ script: 'BEGIN { printf("%d\\n", cgroup > 0); exit(); }', output: '1\n\n\n', sameAs017: true }],
  name: 'cgroup',
  check: () => u64,
  emit: (ctx) => ({ type: u64, v: ctx.b.helper(BpfHelper.GET_CURRENT_CGROUP_ID, ctx.i64, [], [], 'cgroup') }),
};
