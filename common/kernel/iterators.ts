// The kernel's BPF iterators that iter: probes run, and the fields of each one's context struct
// (struct bpf_iter__OBJECT) that scripts read, by bpftrace's names.

/** The iterators bpfscript runs, and the context fields each exposes (bpftrace's names). */
export const ITERATOR_FIELDS: Record<string, readonly string[]> = {
  task: ['task'],
  task_file: ['task', 'fd', 'file'],
};

export const ITERATORS: readonly string[] = Object.keys(ITERATOR_FIELDS);
