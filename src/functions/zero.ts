// zero(@m): keeps every key and sets its value to zero, asynchronously in user space like clear()
// (see ./clear.ts). A zeroed keyless aggregation still prints (`@h: ` with no buckets), as in
// bpftrace, where a cleared one does not.

import { mapAction } from './clear';

export const zero = mapAction('zero', (maps, m) => maps.zero(m));
zero.examples = [{ script: 'BEGIN { @ = count(); zero(@); exit(); }', output: '\n\n@: 0\n', sameAs017: true }];
