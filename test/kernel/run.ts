// The kernel lane's runner, inside the VM: every suite in dist/test/kernel named *.kernel.js (the
// host's `npm test` only picks *.test.js), ending with the same "N passed, N failed" line.

import { runSuites } from '../uvu-runner';

void runSuites('kernel', process.argv[2] ?? '\\.kernel\\.js$');
