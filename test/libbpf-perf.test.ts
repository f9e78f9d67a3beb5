// perf_event_open for the events profile/interval probes attach to, and the CPU sets.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  LibbpfError, PerfHardware, PerfSoftware, closeFd, numPossibleCpus, perfEventOpen,
} from '../runtime/libbpf';
import { onlineCpus, parseCpuList } from '../common/kernel/cpus';

test('parseCpuList reads the kernel format', () => {
  assert.equal(parseCpuList('0-3,5,7-8\n'), [0, 1, 2, 3, 5, 7, 8]);
  assert.equal(parseCpuList('0'), [0]);
  assert.equal(parseCpuList(''), []);
  assert.throws(() => parseCpuList('0-a'));
});

test('online CPUs are possible CPUs', () => {
  const online = onlineCpus();
  const possible = numPossibleCpus();
  assert.ok(online.length >= 1);
  assert.ok(online.every((c) => c >= 0 && c < possible));
});

test('cpu-clock by name, with a frequency, on every online CPU', () => {
  for (const cpu of onlineCpus()) {
    const fd = perfEventOpen({ event: 'cpu-clock', sampleFreq: 99, cpu });
    assert.ok(fd > 2, `fd ${fd}`);
    closeFd(fd);
  }
});

test('task-clock by number, with a period in ns', () => {
  const fd = perfEventOpen({ software: PerfSoftware.TASK_CLOCK, samplePeriod: 1_000_000n, cpu: onlineCpus()[0]! });
  closeFd(fd);
});

test('a CPU that does not exist: typed error from the syscall', () => {
  try {
    perfEventOpen({ event: 'cpu-clock', sampleFreq: 99, cpu: 100000 });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, LibbpfError);
    assert.ok((e as LibbpfError).errno > 0);
    assert.match((e as LibbpfError).message, /^perf_event_open\(type 1 config 0, cpu 100000\): /);
  }
});

test('hardware counters: open, or a typed error where the machine has none', () => {
  try {
    closeFd(perfEventOpen({ hardware: PerfHardware.CPU_CYCLES, samplePeriod: 1_000_000, cpu: 0 }));
  } catch (e) {
    assert.instance(e, LibbpfError);
    assert.ok(['ENOENT', 'EOPNOTSUPP', 'ENODEV', 'EINVAL'].includes((e as LibbpfError).code), (e as LibbpfError).code);
  }
});

test('bad arguments are refused before the syscall', () => {
  const invalid = (e: unknown) => e instanceof LibbpfError && e.code === 'EINVAL';
  assert.throws(() => perfEventOpen({ event: 'no-such-event', sampleFreq: 1, cpu: 0 }), invalid);
  assert.throws(() => perfEventOpen({ event: 'cpu-clock', cpu: 0 }), invalid);
  assert.throws(() => perfEventOpen({ event: 'cpu-clock', sampleFreq: 1, samplePeriod: 1, cpu: 0 }), invalid);
  assert.throws(() => perfEventOpen({ cpu: 0, sampleFreq: 1 }), invalid);
  assert.throws(() => closeFd(-1), (e: unknown) => e instanceof LibbpfError && e.code === 'EBADF');
});

test.run();
