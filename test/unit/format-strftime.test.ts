// time(fmt)'s strftime, checked against the C library's (GNU date uses strftime) on fixed instants.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from '../child';
import { strftime, type Tm } from '../../common/format/strftime';

function utcTm(epoch: number): Tm {
  const d = new Date(epoch * 1000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth(),
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
    offset: 0,
    zone: 'UTC',
    epoch,
  };
}

const FORMAT = '%Y-%m-%d %H:%M:%S|%a %A %b %B %h|%C %y %j %e|%k|%l|%I %p|%u %w|%U %W %V %G %g|%D %F %T %R %r|%c|%x %X|%z %Z %s|%%|%f|%n%t.';
// New Year on a Sunday and a Thursday, leap day, mornings and evenings, ISO week 53, the epoch.
const INSTANTS = [0, 951782400, 1104537600, 1230768000, 1609459199, 1704067200, 1709208000 + 3600 * 13 + 61, 1795639656];

for (const epoch of INSTANTS) {
  test(`strftime matches the C library at ${epoch}`, () => {
    const c = execFileSync('date', ['-u', '-d', `@${epoch}`, `+${FORMAT}`], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).replace(/\n$/, '');
    assert.is(strftime(FORMAT, utcTm(epoch)), c);
  });
}

test('the default format of time()', () => {
  assert.is(strftime('%H:%M:%S\n', utcTm(1795639656)), '20:47:36\n');
});

test.run();
