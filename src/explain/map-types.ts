// BPF map type numbers from the kernel UAPI (enum bpf_map_type), named for the teaching views:
// apart from the typed view, so the page made from an artifact names them without the compiler.

const MAP_TYPE_NAMES: Record<number, string> = {
  1: 'BPF_MAP_TYPE_HASH',
  2: 'BPF_MAP_TYPE_ARRAY',
  5: 'BPF_MAP_TYPE_PERCPU_HASH',
  6: 'BPF_MAP_TYPE_PERCPU_ARRAY',
  9: 'BPF_MAP_TYPE_LRU_HASH',
  10: 'BPF_MAP_TYPE_LRU_PERCPU_HASH',
  27: 'BPF_MAP_TYPE_RINGBUF',
};

export function mapTypeName(n: number): string {
  return MAP_TYPE_NAMES[n] ?? `map type ${n}`;
}
