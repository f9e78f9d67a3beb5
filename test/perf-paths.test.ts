// Fast paths added for performance (issue 7) must agree with the general code they shortcut:
// the lazy function registry with its definitions, and printf's record-reading formatter with
// compilePrintf over decoded values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aggregates, builtins, formats, functions } from '../src/functions';
import { decodeRecordArgs, layoutRecord } from '../src/functions/event-record';
import { compilePrintf, compilePrintfRecord } from '../src/format/printf';
import { decodeValue } from '../runtime/format/decode';
import { createHost } from '../runtime/format/host';
import { intType, stringType, type Type } from '../common/types';
import { compile } from '../src/compile';
import { useLibbpfFeatureProbes } from '../runtime/feature-probes';

// In-process compiles ask this kernel what it allows, as the CLI does.
useLibbpfFeatureProbes();

test('registry: every name loads the definition of that name', () => {
  for (const reg of [builtins, functions, aggregates, formats]) {
    assert.ok(reg.size > 0);
    for (const k of reg.keys()) assert.is(reg.get(k)?.name, k, `registry key ${k}`);
  }
  assert.is(functions.get('nosuch'), undefined);
  assert.is(functions.has('printf'), true);
  assert.is(functions.has('toString'), false);
  assert.is(builtins.get('constructor'), undefined);
});

const u64 = intType(64, false), s64 = intType(64, true), s32 = intType(32, true), u32 = intType(32, false);
const s16 = intType(16, true), u8 = intType(8, false);

/** Writes each value into a record of the layout the way the BPF side stores it (its type's width). */
function record(types: Type[], values: bigint[]): { view: DataView; off: number } {
  const layout = layoutRecord(types);
  const off = 16;
  const view = new DataView(new ArrayBuffer(off + layout.size + 8));
  layout.args.forEach((a, i) => {
    const t = a.type;
    if (t.kind !== 'int') return;
    const o = off + a.offset;
    if (t.bits === 64) view.setBigUint64(o, BigInt.asUintN(64, values[i]), true);
    else if (t.bits === 32) view.setUint32(o, Number(BigInt.asUintN(32, values[i])), true);
    else if (t.bits === 16) view.setUint16(o, Number(BigInt.asUintN(16, values[i])), true);
    else view.setUint8(o, Number(BigInt.asUintN(8, values[i])));
  });
  return { view, off };
}

const cases: [string, Type[], bigint[]][] = [
  ['%d %d\n', [u64, u64], [1234n, 110n]],
  ['%d|%i|%u\n', [s64, s64, s64], [-5n, -1n, -5n]],
  ['%ld %lu %lld %llu\n', [s64, u64, s64, u64], [-(2n ** 63n), 2n ** 64n - 1n, -1n, 42n]],
  ['%hd %hu %hhd %hhu', [s64, s64, s64, s64], [70000n, -1n, 200n, -1n]],
  ['x=%d y=%u', [s32, u32], [-7n, 4000000000n]],
  ['%zd %jd %td', [u64, u64, u64], [2n ** 64n - 1n, 5n, 6n]],
  ['%%%d%%', [u64], [3n]],
  ['%d', [u64], [2n ** 32n + 5n]],
];

test('printf record fast path prints what compilePrintf prints', () => {
  for (const [fmt, types, values] of cases) {
    const fast = compilePrintfRecord(fmt, layoutRecord(types).args);
    assert.ok(fast, `fast path taken for ${JSON.stringify(fmt)}`);
    const { view, off } = record(types, values);
    const slow = compilePrintf(fmt)(decodeRecordArgs(layoutRecord(types), view, off, { decode: (t, v, o) => decodeValue(t, v, o, createHost()) }));
    assert.is(fast!(view, off), slow, JSON.stringify(fmt));
  }
});

test('printf record fast path declines what it does not cover', () => {
  const no = (fmt: string, types: Type[]) => assert.is(compilePrintfRecord(fmt, layoutRecord(types).args), null, JSON.stringify(fmt));
  no('%5d', [u64]);
  no('%-d', [u64]);
  no('%x', [u64]);
  no('%s', [stringType(16)]);
  no('%d', [s16]); // narrower than %d reads: its sign extension is the general path's job
  no('%ld', [s32]);
  no('%d', [u8]);
  no('no conversions\n', []);
  no('%d %d', [u64]);
});

test('tracepoints that read no args, or only fields the raw arguments carry, compile as raw tracepoints; the rest stay tracepoints', () => {
  const probe = (src: string) => {
    const p = compile(src, { file: 'stdin' }).meta.probes[0];
    return `${p.provider} ${JSON.stringify(p.attach)} ${p.name}`;
  };
  const TP = 'tracepoint:raw_syscalls:sys_enter';
  assert.is(probe(`${TP} { @[comm] = count(); }`), `rawtracepoint {"name":"sys_enter"} ${TP}`);
  assert.is(probe(`${TP} /pid == 1/ { @[probe] = count(); }`), `rawtracepoint {"name":"sys_enter"} ${TP}`);
  // args->id is the raw tracepoint's own argument (src/probes/tracepoint-raw-fields.ts); args->args
  // is copied out of pt_regs by the event, so it needs the record.
  assert.is(probe(`${TP} { @[args->id] = count(); }`), `rawtracepoint {"name":"sys_enter"} ${TP}`);
  assert.is(probe(`${TP} /args->args[0] == 39/ { @ = count(); }`), `tracepoint {"category":"raw_syscalls","name":"sys_enter"} ${TP}`);
  // syscalls:* are ftrace events with no raw tracepoint of their own.
  assert.match(probe('tracepoint:syscalls:sys_enter_openat { @ = count(); }'), /^tracepoint /);
  process.env.BPFSCRIPT_RAW_TP = '0';
  try {
    assert.match(probe(`${TP} { @[comm] = count(); }`), /^tracepoint /);
  } finally {
    delete process.env.BPFSCRIPT_RAW_TP;
  }
});

test.run();
