// The per-event floor: what a careful hand-written BPF program costs for each one-liner of the
// overhead suite (bench/suites/overhead.ts) on raw_syscalls:sys_enter. Each runs as a raw
// tracepoint, the cheapest mechanism for that event, and keeps its state the way one would write
// it by hand: per-CPU maps, an array where there is no key (the verifier inlines the lookup), a
// single lookup on the hot path. The raw tracepoint's arguments are (struct pt_regs *regs, long id).
// No vmlinux.h: nothing here needs a kernel type. Built at bench time by bench/lib/floor.ts.

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef unsigned long long u64;
typedef unsigned int u32;

#define HIST_BUCKETS 66

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, 4096);
  __type(key, char[16]);
  __type(value, u64);
} by_comm SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, 4096);
  __type(key, u64);
  __type(value, u64);
} by_pid SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, u32);
  __type(value, u64);
} total SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, HIST_BUCKETS);
  __type(key, u32);
  __type(value, u64);
} buckets SEC(".maps");

/* Adds `n` to the slot of `key` in a per-CPU hash, creating it on first sight. */
static __always_inline void add(void *map, const void *key, u64 n) {
  u64 *v = bpf_map_lookup_elem(map, key);
  if (v) {
    *v += n;
    return;
  }
  bpf_map_update_elem(map, key, &n, BPF_NOEXIST);
}

static __always_inline void bump_total(void) {
  u32 zero = 0;
  u64 *v = bpf_map_lookup_elem(&total, &zero);
  if (v) *v += 1;
}

/* bpftrace's power-of-two buckets: 0 for negatives, 1 for zero, 2 + floor(log2(v)) above. */
static __always_inline u32 log2_bucket(long v) {
  if (v < 0) return 0;
  if (v == 0) return 1;
  u64 x = v;
  u32 r = 0;
  if (x >> 32) { x >>= 32; r += 32; }
  if (x >> 16) { x >>= 16; r += 16; }
  if (x >> 8) { x >>= 8; r += 8; }
  if (x >> 4) { x >>= 4; r += 4; }
  if (x >> 2) { x >>= 2; r += 2; }
  if (x >> 1) { r += 1; }
  return r + 2;
}

SEC("raw_tp/sys_enter") int empty(u64 *ctx) { return 0; }

/* @[comm] = count() */
SEC("raw_tp/sys_enter") int count_comm(u64 *ctx) {
  char comm[16] = {};
  bpf_get_current_comm(comm, sizeof(comm));
  add(&by_comm, comm, 1);
  return 0;
}

/* @ = count() */
SEC("raw_tp/sys_enter") int count(u64 *ctx) {
  bump_total();
  return 0;
}

/* @[pid] = sum(args->id) */
SEC("raw_tp/sys_enter") int sum(u64 *ctx) {
  u64 pid = bpf_get_current_pid_tgid() >> 32;
  add(&by_pid, &pid, ctx[1]);
  return 0;
}

/* @ = hist(args->id) */
SEC("raw_tp/sys_enter") int hist(u64 *ctx) {
  u32 b = log2_bucket((long)ctx[1]);
  u64 *v = bpf_map_lookup_elem(&buckets, &b);
  if (v) *v += 1;
  return 0;
}

/* /pid == 1/ { @ = count(); } */
SEC("raw_tp/sys_enter") int predicate(u64 *ctx) {
  if ((bpf_get_current_pid_tgid() >> 32) != 1) return 0;
  bump_total();
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
