// The run-time report of a failing BPF helper, as bpftrace's -k (map updates and deletes) and -kk
// (also probe reads and map lookups) give it: a WARNING with the script's span on stderr, or a
// `helper_error` object in JSON. The semantic pass chooses what to watch (watchHelper), codegen
// sends [id, return value] when the call fails (reportHelper); this is the runtime half. Not a
// function a script can call: its name is no identifier.

import { none } from '../../common/types';
import type { FunctionDef } from './types';
import type { Span } from '../ast';

export interface HelperErrorData {
  helper: string;
  span: Span;
}

export const helperError: FunctionDef = {
  name: 'helper-error',
  check(ctx, call) {
    ctx.error('helper-error is not a function', call);
    return none;
  },
  emit() {
    throw new Error('internal: helper-error is not callable');
  },
  event: {
    handle(data, view, off, _len, rt) {
      const { helper, span } = data as unknown as HelperErrorData;
      rt.output.helperError(helper, view.getBigInt64(off + 8, true), span);
    },
  },
};
