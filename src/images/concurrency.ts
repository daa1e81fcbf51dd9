/**
 * Work shared by several callers (one download or unpack per digest, however many deployments
 * ask for it). The work is cancelled only when every caller waiting for it has given up, so one
 * aborted deployment never fails another one's pull.
 */
export class SharedTasks<T> {
  private readonly tasks = new Map<string, { promise: Promise<T>; controller: AbortController; waiters: number }>();

  run(key: string, start: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    let task = this.tasks.get(key);
    if (!task) {
      const controller = new AbortController();
      const promise = Promise.resolve()
        .then(() => start(controller.signal))
        .finally(() => {
          if (this.tasks.get(key)?.promise === promise) this.tasks.delete(key);
        });
      // Every waiter observes a failure through its own handlers; this one only keeps a task whose
      // waiters all gave up from becoming an unhandled rejection.
      promise.catch(() => undefined);
      task = { promise, controller, waiters: 0 };
      this.tasks.set(key, task);
    }
    const current = task;
    current.waiters++;
    if (!signal) return current.promise.finally(() => current.waiters--);

    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        if (settled) return;
        settled = true;
        current.waiters--;
        if (current.waiters === 0) {
          // Later callers must start afresh rather than join work that is being cancelled.
          if (this.tasks.get(key) === current) this.tasks.delete(key);
          current.controller.abort(signal.reason);
        }
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      current.promise.then(
        (value) => {
          if (settled) return;
          settled = true;
          current.waiters--;
          signal.removeEventListener("abort", onAbort);
          resolve(value);
        },
        (err: unknown) => {
          if (settled) return;
          settled = true;
          current.waiters--;
          signal.removeEventListener("abort", onAbort);
          reject(err);
        },
      );
    });
  }
}

/**
 * Pulls share the store; prune needs it alone. Readers are preferred: a prune waits for quiet
 * rather than holding new deployments back behind a long pull.
 */
export class SharedExclusiveLock {
  private readers = 0;
  private writer = false;
  private waiting: Array<() => void> = [];

  async shared<T>(fn: () => Promise<T>): Promise<T> {
    while (this.writer) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.readers++;
    try {
      return await fn();
    } finally {
      this.readers--;
      this.wake();
    }
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.writer || this.readers > 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.writer = true;
    try {
      return await fn();
    } finally {
      this.writer = false;
      this.wake();
    }
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
