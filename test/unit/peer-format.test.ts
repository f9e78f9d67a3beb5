// The peer harness's reader of bpftrace's runtime-test files (test/peer/parse.ts) and its checks
// of their expectations (test/peer/runner.ts), for both generations of the format: 0.17's single
// regular-expression EXPECT and 0.21+'s literal lines, EXPECT_* variants and continuation lines.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSuite } from '../peer/parse';
import { checkExpect, expectRegExp, type RunContext } from '../peer/runner';

const CTX: RunContext = { cwd: '/', features: new Set(), attachTimeoutS: 10 };

test('0.17 format: EXPECT is a regular expression, values whitespace-normalised, PROG unquoted', () => {
  const [t] = parseSuite('basic', 'NAME a  b\nPROG BEGIN { printf("x\\n"); }\nEXPECT ^x$\nTIMEOUT 5\n', 'regex');
  assert.is(t.id, 'basic.a b');
  assert.equal(t.expects, [{ mode: 'regex', text: '^x$' }]);
  assert.is(t.run, `{{BPFTRACE}} -e 'BEGIN { printf("x\\n"); }'`);
  assert.is(t.timeoutS, 5);
});

test('0.21+ format: EXPECT variants, continuation lines, SETUP/CLEANUP, several BEFOREs, RETURN_CODE', () => {
  const text = [
    'NAME multi',
    "PROG begin { printf(\"it's\\n\");",
    '     exit(); }',
    'EXPECT stdin:1:37-41: WARNING: first',
    '       second line',
    'EXPECT_NONE nope',
    'EXPECT_REGEX ^it.s$',
    'EXPECT_REGEX_NONE ^zz',
    'BEFORE ./testprogs/a',
    'BEFORE ./testprogs/b',
    'SETUP touch /tmp/x',
    'CLEANUP rm /tmp/x',
    'RETURN_CODE 3',
    'SKIP_IF_ENV_HAS CI=true',
    '',
    'NAME json',
    'PROG begin { @ = 1; }',
    'EXPECT_JSON runtime/outputs/x.json',
    '',
  ].join('\n');
  const [a, b] = parseSuite('other', text, 'lines');
  assert.is(a.run, `{{BPFTRACE}} -e 'begin { printf("it'\\''s\\n");\nexit(); }'`);
  assert.equal(
    a.expects.map((e) => e.mode),
    ['text', 'text_none', 'regex', 'regex_none'],
  );
  assert.is(a.expects[0].text, 'stdin:1:37-41: WARNING: first\nsecond line');
  assert.equal(a.befores, ['./testprogs/a', './testprogs/b']);
  assert.is(a.setup, 'touch /tmp/x');
  assert.is(a.cleanup, 'rm /tmp/x');
  assert.is(a.returnCode, 3);
  assert.equal(a.skipIfEnvHas, ['CI', 'true']);
  // As the engine: a PROG whose first expectation is JSON runs quiet, in JSON.
  assert.is(b.run, "{{BPFTRACE}} -q -f json -e 'begin { @ = 1; }'");
});

test('a literal EXPECT matches a whole line (spaces around aside), several lines in order', () => {
  const t = parseSuite('s', 'NAME n\nPROG x\nEXPECT a.b\n', 'lines')[0];
  const out = 'x\n  a.b  \ny\n';
  assert.ok(checkExpect({ mode: 'text', text: 'a.b' }, out, t, CTX));
  assert.not.ok(checkExpect({ mode: 'text', text: 'a' }, out, t, CTX));
  assert.not.ok(checkExpect({ mode: 'text', text: 'axb' }, 'axb?\n', t, CTX));
  assert.ok(checkExpect({ mode: 'text', text: 'a.b\ny' }, 'x\n a.b\ny\n', t, CTX));
  assert.ok(checkExpect({ mode: 'text_none', text: 'zz' }, out, t, CTX));
  assert.ok(checkExpect({ mode: 'regex_none', text: '^q' }, out, t, CTX));
});

test("Python's (?P<n>…), (?P=n) and (?s:.*) read as JavaScript", () => {
  assert.ok(expectRegExp('(?P<w>ab)-(?P=w)').test('ab-ab'));
  assert.ok(expectRegExp('a\\n(?s:.*)\\nb').test('a\nx\ny\nb'));
});

test.run();
