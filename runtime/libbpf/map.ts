// BPF maps: those of a loaded BpfObject and standalone ones made with bpf_map_create. Keys and
// values are caller-owned Buffers passed zero-copy; their sizes are checked here first because the
// kernel writes value_size (× CPUs) bytes into whatever address it gets.

import { constants as osConstants } from 'node:os';
import { ffi, OPTS_SIZE, type MapPtr } from './ffi';
import { HandleStateError, LibbpfError, checkRet, invalidArgument } from './errors';
import { Lifetime, type Closeable } from './lifetime';
import { numPossibleCpus } from './cpus';
import { PERCPU_MAP_TYPES, UpdateFlags } from './map-types';
import { BatchCursor, type BatchStrategy } from './map-batch';

const { ENOENT } = osConstants.errno;

/** What a map borrowed from a BpfObject needs to know about it. */
export interface MapOwner {
  readonly lifetime: Lifetime;
  readonly loaded: boolean;
  readonly name: string;
}

export interface CreateMapOptions {
  type: number;
  name?: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** map_flags, e.g. MapFlags.NO_PREALLOC */
  flags?: number;
}

export interface MapEntry {
  key: Buffer;
  value: Buffer;
}

interface Geometry {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}

function roundUp8(n: number): number {
  return (n + 7) & ~7;
}

export class BpfMap implements Closeable {
  readonly #ptr: MapPtr | undefined;
  readonly #owner: MapOwner | undefined;
  readonly #own: Lifetime | undefined;
  #fd: number;
  #name: string;
  #geometry: Geometry | undefined;

  /** @internal use BpfObject.map() or BpfMap.create() */
  constructor(source: { ptr: MapPtr; owner: MapOwner } | { fd: number; name: string; geometry: Geometry }) {
    if ('ptr' in source) {
      this.#ptr = source.ptr;
      this.#owner = source.owner;
      this.#fd = -1;
      this.#name = ffi().libbpf.bpf_map__name(source.ptr);
    } else {
      this.#own = new Lifetime(`map '${source.name}'`);
      this.#fd = source.fd;
      this.#name = source.name;
      this.#geometry = source.geometry;
    }
  }

  /** A map of its own, outside any object (bpf_map_create). close() frees it. */
  static create(o: CreateMapOptions): BpfMap {
    const name = o.name ?? '';
    const opts = o.flags ? { sz: OPTS_SIZE.mapCreate, map_flags: o.flags } : null;
    const fd = checkRet(
      ffi().libbpf.bpf_map_create(o.type, name || null, o.keySize, o.valueSize, o.maxEntries, opts),
      `bpf_map_create(${name || `type ${o.type}`})`,
    );
    return new BpfMap({
      fd,
      name,
      geometry: { type: o.type, keySize: o.keySize, valueSize: o.valueSize, maxEntries: o.maxEntries },
    });
  }

  get name(): string {
    return this.#name;
  }

  get closed(): boolean {
    return (this.#own ?? this.#owner!.lifetime).closed;
  }

  /** @internal ring buffers and other users tie their lifetime to the map's */
  get lifetime(): Lifetime {
    return this.#own ?? this.#owner!.lifetime;
  }

  #assertOpen(op: string): void {
    this.lifetime.assertOpen(`${op}(${this.#name})`);
  }

  #geom(op: string): Geometry {
    this.#assertOpen(op);
    if (this.#geometry) return this.#geometry;
    const L = ffi().libbpf;
    const p = this.#ptr!;
    const g = {
      type: L.bpf_map__type(p),
      keySize: L.bpf_map__key_size(p),
      valueSize: L.bpf_map__value_size(p),
      maxEntries: L.bpf_map__max_entries(p),
    };
    // Before load the definition can still change (setMaxEntries), so only cache afterwards.
    if (this.#owner!.loaded) this.#geometry = g;
    return g;
  }

  get type(): number { return this.#geom('bpf_map__type').type; }
  get keySize(): number { return this.#geom('bpf_map__key_size').keySize; }
  get valueSize(): number { return this.#geom('bpf_map__value_size').valueSize; }
  get maxEntries(): number { return this.#geom('bpf_map__max_entries').maxEntries; }

  get isPerCpu(): boolean {
    return PERCPU_MAP_TYPES.has(this.type);
  }

  /** Bytes a lookup writes per entry: per-CPU maps return roundup(valueSize, 8) for every possible
   * CPU, others valueSize. */
  get lookupValueSize(): number {
    const g = this.#geom('bpf_map__value_size');
    return PERCPU_MAP_TYPES.has(g.type) ? roundUp8(g.valueSize) * numPossibleCpus() : g.valueSize;
  }

  get fd(): number {
    this.#assertOpen('bpf_map__fd');
    if (this.#ptr === undefined) return this.#fd;
    if (this.#fd >= 0) return this.#fd;
    if (!this.#owner!.loaded) {
      throw new HandleStateError(`bpf_map__fd(${this.#name})`, `object '${this.#owner!.name}' is not loaded yet`, ENOENT);
    }
    this.#fd = checkRet(ffi().libbpf.bpf_map__fd(this.#ptr), `bpf_map__fd(${this.#name})`);
    return this.#fd;
  }

  /** Before load only (libbpf answers EBUSY afterwards). */
  setMaxEntries(n: number): void {
    this.#assertOpen('bpf_map__set_max_entries');
    if (this.#ptr === undefined) throw invalidArgument(`bpf_map__set_max_entries(${this.#name})`, 'a created map has a fixed size');
    checkRet(ffi().libbpf.bpf_map__set_max_entries(this.#ptr, n), `bpf_map__set_max_entries(${this.#name}, ${n})`);
  }

  /** Sets the initial contents of an internal map (.rodata, .data) before load; libbpf copies it. */
  setInitialValue(data: Buffer): void {
    this.#assertOpen('bpf_map__set_initial_value');
    if (this.#ptr === undefined) throw invalidArgument(`bpf_map__set_initial_value(${this.#name})`, 'only maps of an object have an initial value');
    checkRet(ffi().libbpf.bpf_map__set_initial_value(this.#ptr, data, data.length), `bpf_map__set_initial_value(${this.#name})`);
  }

  #checkKey(op: string, key: Buffer | null, g: Geometry): void {
    if (g.keySize === 0) return;
    if (key === null || key.length < g.keySize) {
      throw invalidArgument(`${op}(${this.#name})`, `key buffer is ${key?.length ?? 0} bytes, the map's key is ${g.keySize}`);
    }
  }

  #checkValue(op: string, value: Buffer, g: Geometry): void {
    const need = this.lookupValueSize;
    if (value.length < need) {
      throw invalidArgument(`${op}(${this.#name})`, `value buffer is ${value.length} bytes, the map needs ${need}${PERCPU_MAP_TYPES.has(g.type) ? ' (per-CPU)' : ''}`);
    }
  }

  /** Copies the value of key into value; false if the key is absent. */
  lookup(key: Buffer | null, value: Buffer): boolean {
    const g = this.#geom('bpf_map_lookup_elem');
    this.#checkKey('bpf_map_lookup_elem', key, g);
    this.#checkValue('bpf_map_lookup_elem', value, g);
    const r = ffi().libbpf.bpf_map_lookup_elem(this.fd, key, value);
    if (r === -ENOENT) return false;
    checkRet(r, `bpf_map_lookup_elem(${this.#name})`);
    return true;
  }

  update(key: Buffer | null, value: Buffer, flags: number = UpdateFlags.ANY): void {
    const g = this.#geom('bpf_map_update_elem');
    this.#checkKey('bpf_map_update_elem', key, g);
    this.#checkValue('bpf_map_update_elem', value, g);
    checkRet(ffi().libbpf.bpf_map_update_elem(this.fd, key, value, flags), `bpf_map_update_elem(${this.#name})`);
  }

  /** false if the key was absent. */
  delete(key: Buffer): boolean {
    const g = this.#geom('bpf_map_delete_elem');
    this.#checkKey('bpf_map_delete_elem', key, g);
    const r = ffi().libbpf.bpf_map_delete_elem(this.fd, key);
    if (r === -ENOENT) return false;
    checkRet(r, `bpf_map_delete_elem(${this.#name})`);
    return true;
  }

  /** Writes the key after `key` (the first key when key is null) into next; false at the end. */
  nextKey(key: Buffer | null, next: Buffer): boolean {
    const g = this.#geom('bpf_map_get_next_key');
    if (key !== null) this.#checkKey('bpf_map_get_next_key', key, g);
    this.#checkKey('bpf_map_get_next_key', next, g);
    const r = ffi().libbpf.bpf_map_get_next_key(this.fd, key, next);
    if (r === -ENOENT) return false;
    checkRet(r, `bpf_map_get_next_key(${this.#name})`);
    return true;
  }

  /**
   * Reads entries into keys/values (packed: keySize and lookupValueSize bytes per entry) until the
   * map is exhausted or the buffers are full; returns how many were written. Uses
   * BPF_MAP_LOOKUP_BATCH (one syscall per chunk, ~10× faster on big maps) and falls back to
   * get_next_key + lookup where the kernel or map type has no batch support.
   */
  lookupBatch(keys: Buffer, values: Buffer, strategy: BatchStrategy = 'auto'): number {
    const g = this.#geom('bpf_map_lookup_batch');
    const vs = this.lookupValueSize;
    if (g.keySize === 0 || vs === 0) throw invalidArgument(`bpf_map_lookup_batch(${this.#name})`, 'the map has no keys or values to read');
    const capacity = Math.min(Math.floor(keys.length / g.keySize), Math.floor(values.length / vs));
    const cursor = new BatchCursor(this.#name, this.fd, g.keySize, vs, strategy);
    let total = 0;
    while (total < capacity && !cursor.done) {
      const n = cursor.fill(keys.subarray(total * g.keySize), values.subarray(total * vs), capacity - total);
      if (n === 0 && cursor.needsRoom) break;
      total += n;
    }
    return total;
  }

  /** Every entry, as copies, read in chunks so a large map is never held twice in memory. */
  *entries(strategy: BatchStrategy = 'auto', chunk = 1024): IterableIterator<MapEntry> {
    const g = this.#geom('bpf_map_lookup_batch');
    const vs = this.lookupValueSize;
    if (g.keySize === 0 || vs === 0) throw invalidArgument(`bpf_map_lookup_batch(${this.#name})`, 'the map has no keys or values to read');
    let room = Math.max(1, Math.min(chunk, g.maxEntries || chunk));
    let keys = Buffer.alloc(room * g.keySize);
    let values = Buffer.alloc(room * vs);
    const cursor = new BatchCursor(this.#name, this.fd, g.keySize, vs, strategy);
    while (!cursor.done) {
      this.#assertOpen('bpf_map_lookup_batch');
      const n = cursor.fill(keys, values, room);
      if (n === 0 && cursor.needsRoom) {
        // a hash bucket holds more entries than the chunk: the kernel never splits buckets
        room *= 2;
        keys = Buffer.alloc(room * g.keySize);
        values = Buffer.alloc(room * vs);
        continue;
      }
      // One copy per chunk, entries as views of it: two copies per entry were a fifth of reading
      // a 100,000-key map (--metrics scrapes it whole).
      const ks = g.keySize;
      const kc = Buffer.from(keys.subarray(0, n * ks));
      const vc = Buffer.from(values.subarray(0, n * vs));
      for (let i = 0; i < n; i++) yield { key: kc.subarray(i * ks, (i + 1) * ks), value: vc.subarray(i * vs, (i + 1) * vs) };
    }
  }

  /** Frees a map made with create(); a map of an object is freed by the object's close(). */
  close(): void {
    if (this.#own === undefined) return;
    if (!this.#own.end()) return;
    const r = ffi().libc.close(this.#fd);
    this.#fd = -1;
    if (r < 0) throw new LibbpfError(`close(map ${this.#name})`, ffi().errno());
  }
}

export type { BatchStrategy };
