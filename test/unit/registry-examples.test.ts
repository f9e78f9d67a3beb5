// Every registered module carries its own example (src/functions/example.ts), which
// test/registry-examples.test.ts runs in the kernel. Aggregations and value formats all have one;
// the functions, builtins and probe types still without one are listed here, and the list may
// only shrink: a module that gains an example must leave it, a new module must not join it.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { owners } from '../registry-owners';

/** Modules still without an example, by kind. */
const PENDING: Record<string, readonly string[]> = {
  function: [
    'getopt', 'unwatch', 'helper-error', 'join', 'signal', 'signal_thread', 'override', 'cgroupid',
    'reg', 'uaddr', 'debugf', 'errorf', 'warnf', 'path', 'fail', 'is_str', 'is_ptr', 'is_array',
    'is_integer', 'is_unsigned_integer', 'is_literal', 'strcap', 'write_user',
  ],
  builtin: [
    'retval', 'arg0', 'arg1', 'arg2', 'arg3', 'arg4', 'arg5', 'arg6', 'arg7', 'arg8', 'arg9', 'arg10',
    'arg11', 'sarg0', 'sarg1', 'sarg2', 'sarg3', 'sarg4', 'sarg5', 'sarg6', 'sarg7', 'sarg8', 'sarg9',
    'ctx', 'func', 'usermode',
  ],
  'probe type': [
    'usdt', 'watchpoint', 'asyncwatchpoint', 'self',
  ],
};

const all = owners();

test('every aggregation and value format has an example', () => {
  const missing = all.filter((o) => (o.kind === 'aggregation' || o.kind === 'value format') && o.examples.length === 0);
  assert.equal(missing.map((o) => `${o.kind} ${o.name}`), []);
  assert.ok(all.filter((o) => o.kind === 'aggregation').length >= 9 && all.filter((o) => o.kind === 'value format').length >= 16, 'the registries are read');
});

test('the functions, builtins and probe types without an example are exactly the pending ones', () => {
  for (const kind of Object.keys(PENDING)) {
    const missing = all.filter((o) => o.kind === kind && o.examples.length === 0).map((o) => o.name);
    assert.equal(missing, [...PENDING[kind]], kind);
  }
});

test('each example is complete: a program, its output, and a reason when it only loads', () => {
  const bad = all.flatMap((o) =>
    o.examples
      .filter((e) => !e.script.trim() || (e.output === '' && !e.loadOnly) || (e.loadOnly !== undefined && !e.loadOnly.trim()))
      .map((e) => `${o.kind} ${o.name}: ${e.script}`),
  );
  assert.equal(bad, []);
});

test.run();
