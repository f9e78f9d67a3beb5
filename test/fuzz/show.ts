// Prints generated programs: `node dist/test/fuzz/show.js SEED FROM [COUNT]`, to replay a fuzz finding.

import { generateProgram } from './program';

const [seed = '1', from = '0', count = '1'] = process.argv.slice(2);
for (let i = Number(from); i < Number(from) + Number(count); i++) {
  process.stdout.write(`// seed ${seed} program ${i}\n${generateProgram(Number(seed), i)}\n`);
}
