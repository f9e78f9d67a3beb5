// Runs every host suite in dist/test (*.test.js; the kernel lane's *.kernel.js are run in the VM),
// once the host has what they need.

import { missingPrerequisites } from './prerequisites';
import { runSuites } from './uvu-runner';

const missing = missingPrerequisites();
if (missing) {
  process.stdout.write(`${missing}\n`);
  process.exitCode = 1;
} else {
  void runSuites('.', process.argv[2] ?? '\\.test\\.js$');
}
