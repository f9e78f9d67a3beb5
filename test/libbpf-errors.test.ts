// Failures come back as LibbpfError with errno, symbolic code, the operation, libbpf's text and
// what libbpf printed — never a koffi crash or a bare number.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import {
  BpfObject, Insn, LibbpfError, LogLevel, ProgType, RawProgram, assemble, errnoName, errnoText,
  setPrintHandler, type LibbpfMessage,
} from '../runtime/libbpf';

test('errno names and texts, including libbpf codes and the kernel-only ENOTSUPP', () => {
  assert.is(errnoName(2), 'ENOENT');
  assert.is(errnoText(2), 'No such file or directory');
  assert.is(errnoName(4001), 'LIBBPF_ERRNO__FORMAT');
  assert.is(errnoText(4001), 'BPF object format invalid');
  assert.is(errnoName(524), 'ENOTSUPP');
  assert.not.match(errnoText(524), /Unknown error/);
});

test('a buffer that is not ELF: LibbpfError with libbpf code and its warning', () => {
  try {
    BpfObject.openMem(Buffer.from('this is not an ELF object at all, just some text'), 'bad');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, LibbpfError);
    const err = e as LibbpfError;
    assert.is(err.errno, 4001);
    assert.is(err.code, 'LIBBPF_ERRNO__FORMAT');
    assert.is(err.operation, 'bpf_object__open_mem(bad)');
    assert.match(err.message, /^bpf_object__open_mem\(bad\): BPF object format invalid \(LIBBPF_ERRNO__FORMAT\)/);
    // libbpf's own explanation travels on the error instead of going to stderr
    assert.match(err.message, /not a proper ELF object/);
    assert.ok(err.messages.some((m) => m.level === LogLevel.WARN));
  }
});

test('an ELF that is not BPF (/bin/true) is refused with libbpf\'s reason', () => {
  try {
    BpfObject.openMem(readFileSync('/bin/true'), 'true');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, LibbpfError);
    assert.match((e as LibbpfError).message, /not a valid eBPF object file/);
  }
});

test('an empty image is refused before libbpf sees it', () => {
  assert.throws(() => BpfObject.openMem(Buffer.alloc(0), 'empty'), (e: unknown) => e instanceof LibbpfError && e.code === 'EINVAL');
});

test('a program the verifier rejects: the error carries the verifier log', () => {
  try {
    // exit without setting r0
    RawProgram.load({ type: ProgType.SOCKET_FILTER, name: 'no_r0', insns: assemble(Insn.exit()) });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, LibbpfError);
    const err = e as LibbpfError;
    assert.is(err.code, 'EACCES');
    assert.match(err.operation, /bpf_prog_load\(no_r0\)/);
    assert.match(err.verifierLog, /R0 !read_ok/);
  }
});

test('a RawProgram that loads runs and returns r0; instruction bytes are checked', () => {
  const p = RawProgram.load({ type: ProgType.SOCKET_FILTER, name: 'ret7', insns: assemble(Insn.movImm(0, 7), Insn.exit()) });
  try {
    assert.is(p.testRun({ data: Buffer.alloc(64) }).retval, 7);
  } finally {
    p.close();
  }
  assert.throws(() => RawProgram.load({ type: ProgType.SOCKET_FILTER, insns: Buffer.alloc(12) }), (e: unknown) => e instanceof LibbpfError && e.code === 'EINVAL');
});

test('print handler: captured messages go on the error, not to the handler; a throwing handler is harmless', () => {
  const seen: LibbpfMessage[] = [];
  setPrintHandler((level, text) => { seen.push({ level, text }); throw new Error('handler bug'); }, LogLevel.DEBUG);
  try {
    try {
      BpfObject.openMem(Buffer.from('garbage garbage garbage garbage garbage garbage garbage'), 'bad2');
      assert.unreachable();
    } catch (e) {
      assert.instance(e, LibbpfError);
      // DEBUG lines were asked for, so they were collected too
      assert.ok((e as LibbpfError).messages.some((m) => m.level === LogLevel.DEBUG));
    }
    assert.equal(seen, []);
  } finally {
    setPrintHandler(null);
  }
});

test.run();
