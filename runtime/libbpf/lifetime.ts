// Ownership between handles. A link keeps its program attached and a ring buffer's mmap keeps its
// map alive in the kernel, so closing an object (or a map made with BpfMap.create) must first close
// everything that hangs off it; otherwise "closed" would still leave things loaded.

import { HandleStateError } from './errors';

export interface Closeable {
  close(): void;
}

export class Lifetime {
  #closed = false;
  readonly #children = new Set<Closeable>();

  constructor(private readonly what: string) {}

  get closed(): boolean {
    return this.#closed;
  }

  /** Throws the error every closed handle gives instead of touching a freed pointer. */
  assertOpen(operation: string): void {
    if (this.#closed) throw new HandleStateError(operation, `${this.what} is closed`);
  }

  adopt(child: Closeable): void {
    this.#children.add(child);
  }

  release(child: Closeable): void {
    this.#children.delete(child);
  }

  /** Marks closed and closes the children, newest first. Returns false if it was already closed. */
  end(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    const children = [...this.#children].reverse();
    this.#children.clear();
    let firstError: unknown;
    for (const c of children) {
      try { c.close(); } catch (e) { firstError ??= e; }
    }
    if (firstError !== undefined) throw firstError;
    return true;
  }
}
