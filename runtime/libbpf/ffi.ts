// koffi declarations for libbpf.so.1 (Debian libbpf1 1.1.2) and the few libc calls the runtime
// needs. This file is the only place in the project that loads these libraries; every other module
// goes through the classes of runtime/libbpf/. Binding happens on first use so that commands which
// never touch the kernel (--emit-elf, -h) do not pay for dlopen and ~60 declarations.

import type * as Koffi from 'koffi';
import { libraryMissing, LIBBPF_PACKAGE } from '../../common/host-packages';

/** An address returned by libbpf. koffi 3 hands pointers to JS as untyped BigInts (README trap 1),
 * so each handle kind gets a brand to keep a map pointer from being passed where a program goes. */
export type Ptr<Brand extends string> = bigint & { readonly __brand: Brand };
export type ObjectPtr = Ptr<'bpf_object'>;
export type ProgramPtr = Ptr<'bpf_program'>;
export type MapPtr = Ptr<'bpf_map'>;
export type LinkPtr = Ptr<'bpf_link'>;
export type CallbackPtr = Ptr<'callback'>;
export type RawPtr = Ptr<'void'>;

/** A pointer argument: a Buffer is passed zero-copy, null is NULL. */
type Mem = Buffer | null;

/** Layout of libbpf 1.1.2's `struct bpf_object_open_opts` as a JS object (sz must be 80). */
export interface OpenOpts {
  sz: number;
  object_name: string | null;
  relaxed_maps?: boolean;
  kernel_log_buf?: Buffer | null;
  kernel_log_size?: number;
  kernel_log_level?: number;
}

export interface UprobeOpts {
  sz: number;
  ref_ctr_offset?: number;
  bpf_cookie?: bigint;
  retprobe: boolean;
  func_name: string | null;
}

export interface KprobeOpts {
  sz: number;
  bpf_cookie?: bigint;
  offset?: number;
  retprobe: boolean;
}

/** Functions by address (kallsyms), so no char** array crosses the FFI; cookies: u64 each, or null. */
export interface KprobeMultiOpts {
  sz: number;
  addrs: Buffer;
  cookies?: Buffer | null;
  cnt: number;
  retprobe: boolean;
}

/** bpf_link_create's opts with the kprobe_multi member of its union (the only one used). */
export interface LinkCreateOpts {
  sz: number;
  km_addrs?: Buffer | null;
  km_cnt?: number;
}

export interface TestRunOpts {
  sz: number;
  data_in?: Buffer | null;
  data_out?: Buffer | null;
  data_size_in?: number;
  data_size_out?: number;
  ctx_in?: Buffer | null;
  ctx_out?: Buffer | null;
  ctx_size_in?: number;
  ctx_size_out?: number;
  retval?: number;
  repeat?: number;
  duration?: number;
  flags?: number;
  cpu?: number;
  batch_size?: number;
}

export interface MapCreateOpts {
  sz: number;
  map_flags?: number;
  map_extra?: bigint;
  numa_node?: number;
  inner_map_fd?: number;
}

export interface ProgLoadOpts {
  sz: number;
  expected_attach_type?: number;
  prog_flags?: number;
  log_level?: number;
  log_size?: number;
  log_buf?: Buffer | null;
}

export interface Libbpf {
  libbpf_set_print(fn: CallbackPtr | RawPtr | null): RawPtr | null;
  libbpf_num_possible_cpus(): number;
  libbpf_strerror(err: number, buf: Buffer, size: number): number;

  bpf_object__open_mem(buf: Buffer, size: number, opts: OpenOpts): ObjectPtr | null;
  bpf_object__load(obj: ObjectPtr): number;
  bpf_object__close(obj: ObjectPtr): void;
  bpf_object__name(obj: ObjectPtr): string;
  bpf_object__find_program_by_name(obj: ObjectPtr, name: string): ProgramPtr | null;
  bpf_object__find_map_by_name(obj: ObjectPtr, name: string): MapPtr | null;
  bpf_object__next_program(obj: ObjectPtr, prev: ProgramPtr | null): ProgramPtr | null;
  bpf_object__next_map(obj: ObjectPtr, prev: MapPtr | null): MapPtr | null;

  bpf_program__name(p: ProgramPtr): string;
  bpf_program__section_name(p: ProgramPtr): string;
  bpf_program__fd(p: ProgramPtr): number;
  bpf_program__type(p: ProgramPtr): number;
  bpf_program__autoload(p: ProgramPtr): boolean;
  bpf_program__set_autoload(p: ProgramPtr, on: boolean): number;
  bpf_program__attach(p: ProgramPtr): LinkPtr | null;
  bpf_program__attach_tracepoint(p: ProgramPtr, category: string, name: string): LinkPtr | null;
  bpf_program__attach_raw_tracepoint(p: ProgramPtr, name: string): LinkPtr | null;
  bpf_program__attach_perf_event(p: ProgramPtr, pfd: number): LinkPtr | null;
  bpf_program__attach_uprobe_opts(p: ProgramPtr, pid: number, binary: string, offset: number,
    opts: UprobeOpts): LinkPtr | null;
  bpf_program__attach_kprobe(p: ProgramPtr, retprobe: boolean, func: string): LinkPtr | null;
  bpf_program__attach_kprobe_opts(p: ProgramPtr, func: string, opts: KprobeOpts): LinkPtr | null;
  bpf_program__attach_kprobe_multi_opts(p: ProgramPtr, pattern: string | null, opts: KprobeMultiOpts): LinkPtr | null;
  bpf_link_create(progFd: number, targetFd: number, attachType: number, opts: LinkCreateOpts): number;
  bpf_program__attach_iter(p: ProgramPtr, opts: null): LinkPtr | null;
  bpf_program__attach_trace(p: ProgramPtr): LinkPtr | null;
  bpf_program__set_log_level(p: ProgramPtr, level: number): number;
  bpf_program__set_log_buf(p: ProgramPtr, buf: Buffer, size: number): number;

  bpf_link__destroy(l: LinkPtr): number;
  bpf_link__fd(l: LinkPtr): number;
  /** A readable fd of a new iterator instance of an iter link: each read() runs the program. */
  bpf_iter_create(linkFd: number): number;

  bpf_map__name(m: MapPtr): string;
  bpf_map__fd(m: MapPtr): number;
  bpf_map__type(m: MapPtr): number;
  bpf_map__key_size(m: MapPtr): number;
  bpf_map__value_size(m: MapPtr): number;
  bpf_map__max_entries(m: MapPtr): number;
  bpf_map__set_max_entries(m: MapPtr, n: number): number;
  bpf_map__set_initial_value(m: MapPtr, data: Buffer, size: number): number;

  bpf_map_create(type: number, name: string | null, keySize: number, valueSize: number,
    maxEntries: number, opts: MapCreateOpts | null): number;
  bpf_map_lookup_elem(fd: number, key: Mem, value: Buffer): number;
  bpf_map_update_elem(fd: number, key: Mem, value: Buffer, flags: bigint | number): number;
  bpf_map_delete_elem(fd: number, key: Mem): number;
  bpf_map_get_next_key(fd: number, key: Mem, next: Buffer): number;
  /** count is a 4-byte in/out Buffer (u32). */
  bpf_map_lookup_batch(fd: number, inBatch: Mem, outBatch: Buffer, keys: Buffer, values: Buffer,
    count: Buffer, opts: null): number;
  bpf_prog_load(type: number, name: string | null, license: string, insns: Buffer, insnCnt: number,
    opts: ProgLoadOpts | null): number;
  bpf_prog_test_run_opts(fd: number, opts: TestRunOpts): number;
  /** infoLen is a 4-byte in/out Buffer (u32). */
  bpf_obj_get_info_by_fd(fd: number, info: Buffer, infoLen: Buffer): number;
  bpf_task_fd_query(pid: number, fd: number, flags: number, buf: Buffer, bufLen: Buffer, progId: Buffer, fdType: Buffer, probeOffset: Buffer, probeAddr: Buffer): number;
}

export interface Libc {
  close(fd: number): number;
  /** variadic: pass ('type', value) pairs after nr */
  syscall(nr: number, ...args: unknown[]): number | bigint;
  mmap(addr: null, len: number, prot: number, flags: number, fd: number, off: number): RawPtr;
  munmap(addr: RawPtr, len: number): number;
  getpagesize(): number;
  epoll_create1(flags: number): number;
  epoll_ctl(epfd: number, op: number, fd: number, ev: Buffer): number;
  epoll_wait(epfd: number, events: Buffer, max: number, timeoutMs: number): number;
  /** epoll_pwait on a thread of Node's worker pool; done runs on the main thread with its result. */
  epoll_pwait_async(epfd: number, events: Buffer, max: number, timeoutMs: number, sigmask: Buffer, done: (err: unknown, n: number) => void): void;
  eventfd(initval: number, flags: number): number;
  read(fd: number, buf: Buffer, n: number): number;
  write(fd: number, buf: Buffer, n: number): number;
  vsnprintf(buf: Buffer, size: number, fmt: RawPtr, ap: RawPtr): number;
  _exit(status: number): never;
}

export interface Ffi {
  koffi: typeof Koffi;
  libbpf: Libbpf;
  libc: Libc;
  /** errno saved by koffi right after the last native call (README trap 6). */
  errno(): number;
  printProto: Koffi.TypeObject;
}

const LIBBPF_DECLS = [
  'void *libbpf_set_print(void *fn)',
  'int libbpf_num_possible_cpus(void)',
  'int libbpf_strerror(int err, void *buf, size_t size)',

  // The ELF image must stay alive until bpf_object__load returns (README trap 5): BpfObject owns it.
  'bpf_object *bpf_object__open_mem(const void *buf, size_t sz, const bpf_object_open_opts *opts)',
  'int bpf_object__load(bpf_object *obj)',
  'void bpf_object__close(bpf_object *obj)',
  'const char *bpf_object__name(const bpf_object *obj)',
  'bpf_program *bpf_object__find_program_by_name(const bpf_object *obj, const char *name)',
  'bpf_map *bpf_object__find_map_by_name(const bpf_object *obj, const char *name)',
  'bpf_program *bpf_object__next_program(const bpf_object *obj, bpf_program *prev)',
  'bpf_map *bpf_object__next_map(const bpf_object *obj, const bpf_map *prev)',

  'const char *bpf_program__name(const bpf_program *p)',
  'const char *bpf_program__section_name(const bpf_program *p)',
  'int bpf_program__fd(const bpf_program *p)',
  'int bpf_program__type(const bpf_program *p)',
  'bool bpf_program__autoload(const bpf_program *p)',
  'int bpf_program__set_autoload(bpf_program *p, bool autoload)',
  'bpf_link *bpf_program__attach(const bpf_program *p)',
  'bpf_link *bpf_program__attach_tracepoint(const bpf_program *p, const char *category, const char *name)',
  'bpf_link *bpf_program__attach_raw_tracepoint(const bpf_program *p, const char *name)',
  'bpf_link *bpf_program__attach_perf_event(const bpf_program *p, int pfd)',
  'bpf_link *bpf_program__attach_uprobe_opts(const bpf_program *p, int pid, const char *binary, size_t offset, const bpf_uprobe_opts *opts)',
  'bpf_link *bpf_program__attach_kprobe(const bpf_program *p, bool retprobe, const char *func)',
  // kprobe:FUNC+OFFSET: the offset goes in the opts; libbpf would look "FUNC+OFFSET" up as a name.
  'bpf_link *bpf_program__attach_kprobe_opts(const bpf_program *p, const char *func, const bpf_kprobe_opts *opts)',
  'bpf_link *bpf_program__attach_kprobe_multi_opts(const bpf_program *p, const char *pattern, const bpf_kprobe_multi_opts *opts)',
  'int bpf_link_create(int prog_fd, int target_fd, int attach_type, const bpf_link_create_opts *opts)',
  // iter/task, iter/task_file need no bpf_iter_link_info, so opts stay NULL.
  'bpf_link *bpf_program__attach_iter(const bpf_program *p, const void *opts)',
  'bpf_link *bpf_program__attach_trace(const bpf_program *p)',
  // The per-program log buffer is read after load, so BpfProgram keeps it referenced.
  'int bpf_program__set_log_level(bpf_program *p, uint32_t level)',
  'int bpf_program__set_log_buf(bpf_program *p, void *buf, size_t size)',

  'int bpf_link__destroy(bpf_link *l)',
  'int bpf_link__fd(const bpf_link *l)',
  'int bpf_iter_create(int link_fd)',

  'const char *bpf_map__name(const bpf_map *m)',
  'int bpf_map__fd(const bpf_map *m)',
  'int bpf_map__type(const bpf_map *m)',
  'uint32_t bpf_map__key_size(const bpf_map *m)',
  'uint32_t bpf_map__value_size(const bpf_map *m)',
  'uint32_t bpf_map__max_entries(const bpf_map *m)',
  'int bpf_map__set_max_entries(bpf_map *m, uint32_t n)',
  'int bpf_map__set_initial_value(bpf_map *m, const void *data, size_t size)',

  // Low-level wrappers of the bpf() syscall: libbpf 1.x returns -errno and sets errno.
  'int bpf_map_create(int type, const char *name, uint32_t key_size, uint32_t value_size, uint32_t max_entries, const bpf_map_create_opts *opts)',
  'int bpf_map_lookup_elem(int fd, const void *key, void *value)',
  'int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)',
  'int bpf_map_delete_elem(int fd, const void *key)',
  'int bpf_map_get_next_key(int fd, const void *key, void *next_key)',
  'int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values, void *count, const void *opts)',
  'int bpf_prog_load(int type, const char *name, const char *license, const void *insns, size_t insn_cnt, const bpf_prog_load_opts *opts)',
  'int bpf_prog_test_run_opts(int fd, _Inout_ bpf_test_run_opts *opts)',
  'int bpf_obj_get_info_by_fd(int fd, void *info, void *info_len)',
  'int bpf_task_fd_query(int pid, int fd, uint32_t flags, void *buf, void *buf_len, void *prog_id, void *fd_type, void *probe_offset, void *probe_addr)',
];

const LIBC_DECLS = [
  'int close(int fd)',
  'long syscall(long nr, ...)',
  'void *mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)',
  'int munmap(void *addr, size_t len)',
  'int getpagesize(void)',
  'int epoll_create1(int flags)',
  'int epoll_ctl(int epfd, int op, int fd, void *ev)',
  'int epoll_wait(int epfd, void *events, int max, int timeout)',
  'int epoll_pwait(int epfd, void *events, int max, int timeout, const void *sigmask)',
  'int eventfd(unsigned int initval, int flags)',
  'long read(int fd, void *buf, size_t n)',
  'long write(int fd, const void *buf, size_t n)',
  // fmt and ap stay raw pointers: decoding fmt to a JS string on every message is wasted work.
  'int vsnprintf(void *buf, size_t size, void *fmt, void *ap)',
  'void _exit(int status)',
];

function declareTypes(koffi: typeof Koffi): Koffi.TypeObject {
  for (const name of ['bpf_object', 'bpf_program', 'bpf_map', 'bpf_link']) koffi.opaque(name);

  // Layouts checked against gcc offsetof in the prototype. libbpf 1.1.2 keeps a hidden `__u32 :32`
  // after pin_root_path (the removed attach_prog_fd); without it every later field is shifted.
  koffi.struct('bpf_object_open_opts', {
    sz: 'size_t',
    object_name: 'const char *',
    relaxed_maps: 'bool',
    pin_root_path: 'const char *',
    _hidden_attach_prog_fd: 'uint32_t',
    kconfig: 'const char *',
    btf_custom_path: 'const char *',
    kernel_log_buf: 'void *',
    kernel_log_size: 'size_t',
    kernel_log_level: 'uint32_t',
  });
  koffi.struct('bpf_uprobe_opts', {
    sz: 'size_t',
    ref_ctr_offset: 'size_t',
    bpf_cookie: 'uint64_t',
    retprobe: 'bool',
    func_name: 'const char *',
  });
  // libbpf 1.1.2's layout (attach_mode came in 1.2): sz, bpf_cookie, offset, retprobe, padded to 32.
  koffi.struct('bpf_kprobe_opts', {
    sz: 'size_t',
    bpf_cookie: 'uint64_t',
    offset: 'size_t',
    retprobe: 'bool',
  });
  koffi.struct('bpf_kprobe_multi_opts', {
    sz: 'size_t',
    syms: 'void *',
    addrs: 'void *',
    cookies: 'void *',
    cnt: 'size_t',
    retprobe: 'bool',
  });
  // libbpf 1.1.2: sz, flags, iter_info, iter_info_len, target_btf_id, then the union as its
  // kprobe_multi member (flags, cnt, syms, addrs, cookies).
  koffi.struct('bpf_link_create_opts', {
    sz: 'size_t',
    flags: 'uint32_t',
    iter_info: 'void *',
    iter_info_len: 'uint32_t',
    target_btf_id: 'uint32_t',
    km_flags: 'uint32_t',
    km_cnt: 'uint32_t',
    km_syms: 'void *',
    km_addrs: 'void *',
    km_cookies: 'void *',
  });
  koffi.struct('bpf_test_run_opts', {
    sz: 'size_t',
    data_in: 'void *',
    data_out: 'void *',
    data_size_in: 'uint32_t',
    data_size_out: 'uint32_t',
    ctx_in: 'void *',
    ctx_out: 'void *',
    ctx_size_in: 'uint32_t',
    ctx_size_out: 'uint32_t',
    retval: 'uint32_t',
    repeat: 'int',
    duration: 'uint32_t',
    flags: 'uint32_t',
    cpu: 'uint32_t',
    batch_size: 'uint32_t',
  });
  koffi.struct('bpf_map_create_opts', {
    sz: 'size_t',
    btf_fd: 'uint32_t',
    btf_key_type_id: 'uint32_t',
    btf_value_type_id: 'uint32_t',
    btf_vmlinux_value_type_id: 'uint32_t',
    inner_map_fd: 'uint32_t',
    map_flags: 'uint32_t',
    map_extra: 'uint64_t',
    numa_node: 'uint32_t',
    map_ifindex: 'uint32_t',
  });
  koffi.struct('bpf_prog_load_opts', {
    sz: 'size_t',
    attempts: 'int',
    expected_attach_type: 'int',
    prog_btf_fd: 'uint32_t',
    prog_flags: 'uint32_t',
    prog_ifindex: 'uint32_t',
    kern_version: 'uint32_t',
    attach_btf_id: 'uint32_t',
    attach_prog_fd: 'uint32_t',
    attach_btf_obj_fd: 'uint32_t',
    fd_array: 'void *',
    func_info: 'void *',
    func_info_cnt: 'uint32_t',
    func_info_rec_size: 'uint32_t',
    line_info: 'void *',
    line_info_cnt: 'uint32_t',
    line_info_rec_size: 'uint32_t',
    log_level: 'uint32_t',
    log_size: 'uint32_t',
    log_buf: 'void *',
  });
  // On x86-64 va_list is __va_list_tag[1] and decays to a pointer as an argument; on arm64 the
  // 32-byte struct is passed by reference. Either way it arrives as one pointer.
  return koffi.proto('int libbpf_print_fn_t(int level, void *fmt, void *ap)');
}

/** C sizes of the option structs: libbpf rejects opts whose sz does not match what it knows. */
export const OPTS_SIZE = {
  open: 80,
  uprobe: 40,
  kprobe: 32,
  kprobeMulti: 48,
  linkCreate: 64,
  testRun: 80,
  mapCreate: 48,
  progLoad: 104,
} as const;

let bound: Ffi | undefined;

function bind(): Ffi {
  // require, not import: loading koffi's native module is part of what stays lazy
  const koffi = require('koffi') as typeof Koffi;
  const printProto = declareTypes(koffi);
  for (const [name, size] of [
    ['bpf_object_open_opts', OPTS_SIZE.open], ['bpf_uprobe_opts', OPTS_SIZE.uprobe],
    ['bpf_kprobe_opts', OPTS_SIZE.kprobe], ['bpf_kprobe_multi_opts', OPTS_SIZE.kprobeMulti],
    ['bpf_link_create_opts', OPTS_SIZE.linkCreate],
    ['bpf_test_run_opts', OPTS_SIZE.testRun], ['bpf_map_create_opts', OPTS_SIZE.mapCreate],
    ['bpf_prog_load_opts', OPTS_SIZE.progLoad],
  ] as const) {
    if (koffi.sizeof(name) !== size) throw new Error(`internal: ${name} is ${koffi.sizeof(name)} bytes, libbpf 1.1 expects ${size}`);
  }
  let bpf: ReturnType<typeof koffi.load>;
  try {
    bpf = koffi.load('libbpf.so.1');
  } catch (e) {
    throw libraryMissing('libbpf.so.1', (e as Error).message, LIBBPF_PACKAGE);
  }
  const c = koffi.load('libc.so.6');
  const libbpf: Record<string, unknown> = {};
  for (const d of LIBBPF_DECLS) { const f = bpf.func(d); libbpf[f.info.name] = f; }
  const libc: Record<string, unknown> = {};
  for (const d of LIBC_DECLS) { const f = c.func(d); libc[f.info.name] = f; }
  libc.epoll_pwait_async = (libc.epoll_pwait as { async: unknown }).async;
  return {
    koffi,
    libbpf: libbpf as unknown as Libbpf,
    libc: libc as unknown as Libc,
    errno: () => koffi.errno(),
    printProto,
  };
}

export function ffi(): Ffi {
  return (bound ??= bind());
}

/** The bindings if they have loaded, without trying to load them. */
export function ffiIfLoaded(): Ffi | undefined {
  return bound;
}
