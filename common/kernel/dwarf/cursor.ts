// A forward reader over a little-endian byte buffer with DWARF's variable-length integers.

export class DwarfFormatError extends Error {}

export class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}

  #need(n: number): void {
    if (this.pos + n > this.buf.length) throw new DwarfFormatError(`DWARF data ends early (at byte ${this.pos}, ${n} more needed)`);
  }

  u8(): number {
    this.#need(1);
    return this.buf[this.pos++];
  }

  u16(): number {
    this.#need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.#need(3);
    const v = this.buf.readUIntLE(this.pos, 3);
    this.pos += 3;
    return v;
  }

  u32(): number {
    this.#need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A 64-bit value as a number: offsets and sizes in one file fit in 2^53. */
  u64(): number {
    this.#need(8);
    const v = Number(this.buf.readBigUInt64LE(this.pos));
    this.pos += 8;
    return v;
  }

  /** A 4- or 8-byte section offset, as the unit's format says. */
  offset(size: 4 | 8): number {
    return size === 8 ? this.u64() : this.u32();
  }

  uleb(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * mul;
      if (!(b & 0x80)) return result;
      mul *= 128;
    }
  }

  sleb(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) return b & 0x40 ? result - mul : result;
    }
  }

  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new DwarfFormatError('unterminated string in DWARF data');
    const s = this.buf.toString('latin1', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  skip(n: number): void {
    this.#need(n);
    this.pos += n;
  }
}
