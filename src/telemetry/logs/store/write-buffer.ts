/**
 * Collects appended items and hands them to `flush` together: when `maxItems` are waiting,
 * `delayMs` after the first one arrived, or when asked (before every read, on stop). One
 * SQLite transaction per batch instead of one per line is what makes ingestion cheap.
 */
export class WriteBuffer<T> {
  private items: T[] = [];
  private count = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flushItems: (items: T[]) => void,
    private readonly opts: { maxItems: number; delayMs: number; size: (item: T) => number },
  ) {}

  add(item: T): void {
    this.items.push(item);
    this.count += this.opts.size(item);
    if (this.count >= this.opts.maxItems) {
      this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.opts.delayMs);
      // Pending lines never keep a process alive; stop() flushes them.
      this.timer.unref();
    }
  }

  get pending(): number {
    return this.count;
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.count = 0;
    this.flushItems(items);
  }
}
