// The unit lane (npm run test:unit): the suites in test/unit, which need no root, no tracefs and
// no kernel BTF (the kernel readers see test/fake-host.ts), so any user runs them in seconds.
// Only the LLVM library is needed, for the codegen suites; `npm test` runs these suites too.

import { runSuites } from '../uvu-runner';

void runSuites('unit', process.argv[2] ?? '\\.test\\.js$');
