// Kernel enums used with maps and programs (include/uapi/linux/bpf.h). Only the values the
// runtime names; anything else still works as a plain number.

export const MapType = {
  HASH: 1,
  ARRAY: 2,
  PROG_ARRAY: 3,
  PERF_EVENT_ARRAY: 4,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  STACK_TRACE: 7,
  LRU_HASH: 9,
  LRU_PERCPU_HASH: 10,
  LPM_TRIE: 11,
  DEVMAP: 14,
  PERCPU_CGROUP_STORAGE: 21,
  QUEUE: 22,
  STACK: 23,
  DEVMAP_HASH: 25,
  RINGBUF: 27,
} as const;

export const PERCPU_MAP_TYPES: ReadonlySet<number> = new Set([
  MapType.PERCPU_HASH, MapType.PERCPU_ARRAY, MapType.LRU_PERCPU_HASH, MapType.PERCPU_CGROUP_STORAGE,
]);

/** flags of bpf_map_update_elem */
export const UpdateFlags = {
  ANY: 0,
  NOEXIST: 1,
  EXIST: 2,
  LOCK: 4,
} as const;

/** map_flags of bpf_map_create */
export const MapFlags = {
  NO_PREALLOC: 1,
  RDONLY: 1 << 3,
  WRONLY: 1 << 4,
  MMAPABLE: 1 << 10,
} as const;

export const ProgType = {
  SOCKET_FILTER: 1,
  KPROBE: 2,
  SCHED_CLS: 3,
  TRACEPOINT: 5,
  XDP: 6,
  PERF_EVENT: 7,
  RAW_TRACEPOINT: 17,
  TRACING: 26,
} as const;
