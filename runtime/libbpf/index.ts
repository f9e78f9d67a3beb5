// The project's libbpf binding. Import from here; nothing outside runtime/libbpf/ touches koffi for
// libbpf or libc.

export { BpfObject, type OpenOptions } from './object';
export { BpfProgram, type UprobeOptions } from './program';
export { BpfLink } from './link';
export { BpfMap, type CreateMapOptions, type MapEntry, type BatchStrategy } from './map';
export { MapType, MapFlags, UpdateFlags, ProgType, PERCPU_MAP_TYPES } from './map-types';
export { RingBuffer, type RecordHandler } from './ringbuf';
export { RawProgram, type RawProgramOptions } from './raw-program';
export { Insn, assemble } from './insn';
export { TEST_RUN_ON_CPU, type TestRunOptions, type TestRunResult } from './test-run';
export { perfEventOpen, closeFd, PerfType, PerfSoftware, PerfHardware, SOFTWARE_EVENT_NAMES, type PerfEventOptions } from './perf';
export { setPrintHandler, restoreDefaultPrint, type PrintHandler } from './print';
export { numPossibleCpus } from './cpus';
export {
  LibbpfError, HandleStateError, LogLevel, ENOTSUPP, errnoName, errnoText,
  type LibbpfMessage, type LibbpfErrorDetails,
} from './errors';
