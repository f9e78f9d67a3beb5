// Runs every host suite in dist/test (*.test.js; the kernel lane's *.kernel.js are run in the VM).

import { runSuites } from './uvu-runner';

runSuites('.', process.argv[2] ?? '\\.test\\.js$');
