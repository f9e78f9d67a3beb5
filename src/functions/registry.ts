// The lazy name -> definition map behind every registry (src/functions/index.ts, formats.ts,
// runtime/attach/index.ts). A leaf: it imports nothing, so any module may use it.

/** require() with the module's own type (compiled to a plain CommonJS require). */
export const mod = <M>(path: string): M => require(path) as M;

/** A read-only name -> definition map whose definitions load on first lookup. */
export class Registry<T extends { name: string }> {
  private readonly loaded = new Map<string, T>();
  constructor(private readonly loaders: Readonly<Record<string, () => T>>) {}
  get(name: string): T | undefined {
    if (!Object.hasOwn(this.loaders, name)) return undefined;
    let d = this.loaded.get(name);
    if (!d) this.loaded.set(name, (d = this.loaders[name]()));
    return d;
  }
  has(name: string): boolean {
    return Object.hasOwn(this.loaders, name);
  }
  get size(): number {
    return Object.keys(this.loaders).length;
  }
  /** Names in registration order (did-you-mean hints read these), without loading anything. */
  keys(): IterableIterator<string> {
    return Object.keys(this.loaders)[Symbol.iterator]();
  }
  /** Loads every definition. */
  *values(): IterableIterator<T> {
    for (const k of Object.keys(this.loaders)) yield this.get(k)!;
  }
  *entries(): IterableIterator<[string, T]> {
    for (const k of Object.keys(this.loaders)) yield [k, this.get(k)!];
  }
  [Symbol.iterator](): IterableIterator<[string, T]> {
    return this.entries();
  }
}
