/**
 * What the audit trail keeps of admitted calls until their answer is recorded, by request id:
 * in a ring of slots reused call after call. A Map set and deleted once per call reallocated its
 * table again and again (a shrink on delete, a rehash on the holes), and every table it left
 * behind had outlived a young-generation GC: about a tenth of what each scavenge promoted under
 * load (docs/performance.md, "December (5)"). More calls in flight than slots move the oldest
 * into a Map, so none is lost.
 */
export class AdmittedCalls<T> {
  private readonly ids: (string | undefined)[];
  private readonly values: (T | undefined)[];
  private next = 0;
  private readonly overflow = new Map<string, T>();

  constructor(private readonly slots = 64) {
    this.ids = new Array<string | undefined>(slots).fill(undefined);
    this.values = new Array<T | undefined>(slots).fill(undefined);
  }

  set(requestId: string, value: T): void {
    const i = this.next;
    this.next = (i + 1) % this.slots;
    const older = this.ids[i];
    if (older !== undefined) this.overflow.set(older, this.values[i] as T);
    this.ids[i] = requestId;
    this.values[i] = value;
  }

  /** What was kept for the call, forgotten as it is taken; undefined for a call never admitted. */
  take(requestId: string): T | undefined {
    // Newest first: the call answered now is most often among the last admitted.
    for (let k = 0, i = this.next; k < this.slots; k++) {
      i = i === 0 ? this.slots - 1 : i - 1;
      if (this.ids[i] === requestId) {
        const value = this.values[i];
        this.ids[i] = undefined;
        this.values[i] = undefined;
        return value;
      }
    }
    if (this.overflow.size === 0) return undefined;
    const value = this.overflow.get(requestId);
    this.overflow.delete(requestId);
    return value;
  }

  /** How many calls are kept (for tests). */
  get size(): number {
    return this.ids.filter((id) => id !== undefined).length + this.overflow.size;
  }
}
