// BTF-defined map globals in the ".maps" section: the only map definition libbpf ≥ 1.0 accepts.
// libbpf reads the shape from debug info, not from the IR: each member is a pointer, `type` and
// `max_entries` are pointers to int arrays whose length carries the number, `key`/`value` point to
// types of the right size. The IR global itself is just a zeroed struct of four pointers.

import { DW_ATE_unsigned, type Context, type DIBuilder, type Meta, type Module, type Val } from './llvm';

export const enum BpfMapType {
  Hash = 1,
  Array = 2,
  PercpuHash = 5,
  PercpuArray = 6,
  StackTrace = 7,
  LruHash = 9,
  LruPercpuHash = 10,
  Ringbuf = 27,
}

export interface MapDef {
  name: string;
  type: BpfMapType;
  maxEntries: number;
  /** Key and value sizes in bytes; omitted for ring buffers. */
  keySize?: number;
  valueSize?: number;
}

/** Debug-info types shared by every map definition of one module. */
export class MapDefBuilder {
  private int: Meta;
  private u8: Meta;
  private sized = new Map<number, Meta>();

  constructor(
    private readonly mod: Module,
    private readonly di: DIBuilder,
  ) {
    this.int = di.basic('int', 32, 5);
    this.u8 = di.basic('unsigned char', 8, DW_ATE_unsigned);
  }

  private ctx(): Context {
    return this.mod.ctx;
  }

  /** A BTF type exactly `size` bytes big: u32/u64 where natural, else a byte array. */
  private sizedType(size: number): Meta {
    let t = this.sized.get(size);
    if (!t) {
      if (size === 4) t = this.di.basic('unsigned int', 32, DW_ATE_unsigned);
      else if (size === 8) t = this.di.basic('unsigned long long', 64, DW_ATE_unsigned);
      else t = this.di.array(this.u8, 8, size);
      this.sized.set(size, t);
    }
    return t;
  }

  define(def: MapDef): Val {
    const c = this.ctx();
    const di = this.di;
    const intArr = (n: number) => di.pointer(di.array(this.int, 32, n));
    const members: { name: string; type: Meta; bits: number; offsetBits: number }[] = [
      { name: 'type', type: intArr(def.type), bits: 64, offsetBits: 0 },
      { name: 'max_entries', type: intArr(def.maxEntries), bits: 64, offsetBits: 64 },
    ];
    if (def.keySize !== undefined) {
      members.push({ name: 'key', type: di.pointer(this.sizedType(def.keySize)), bits: 64, offsetBits: members.length * 64 });
    }
    if (def.valueSize !== undefined) {
      members.push({ name: 'value', type: di.pointer(this.sizedType(def.valueSize)), bits: 64, offsetBits: members.length * 64 });
    }
    const dty = di.struct('', members.length * 64, members);
    const i8p = c.ptr(c.int(8));
    const irTy = c.struct(members.map(() => i8p));
    const g = this.mod.addGlobal(irTy, def.name, { section: '.maps', align: 8 });
    di.globalVariable(g, def.name, dty);
    return g;
  }
}
