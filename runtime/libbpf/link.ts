// A BPF link: an attached program. Destroying it detaches; the kernel also drops it when the
// process dies, because nothing here is pinned (README trap 8).

import { ffi, type LinkPtr } from './ffi';
import { checkRet } from './errors';
import { Lifetime, type Closeable } from './lifetime';

export class BpfLink implements Closeable {
  #ptr: LinkPtr | null;
  readonly #life: Lifetime;
  readonly #owner: Lifetime | undefined;

  /** @internal created by BpfProgram's attach methods */
  constructor(ptr: LinkPtr, readonly description: string, owner?: Lifetime) {
    this.#ptr = ptr;
    this.#life = new Lifetime(`link ${description}`);
    this.#owner = owner;
    owner?.adopt(this);
  }

  get destroyed(): boolean {
    return this.#ptr === null;
  }

  get fd(): number {
    this.#life.assertOpen('bpf_link__fd');
    return checkRet(ffi().libbpf.bpf_link__fd(this.#ptr!), `bpf_link__fd(${this.description})`);
  }

  /** Detaches. Safe to call more than once. */
  destroy(): void {
    const ptr = this.#ptr;
    if (ptr === null) return;
    this.#ptr = null;
    this.#life.end();
    this.#owner?.release(this);
    // The handle is gone whatever libbpf answers, so a failure is reported but never retried.
    checkRet(ffi().libbpf.bpf_link__destroy(ptr), `bpf_link__destroy(${this.description})`);
  }

  close(): void {
    this.destroy();
  }
}
