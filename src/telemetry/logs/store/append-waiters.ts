/** Why a wait for new lines ended. */
export type AppendWait = "appended" | "aborted" | "closed";

/**
 * Callers waiting for lines to be written to a log group (FilterLogEvents' long poll). The
 * store wakes a group's waiters after each committed write to it, so a woken reader always
 * finds the new rows; waiting costs a closure in a set, no timer and no polling.
 */
export class AppendWaiters {
  private readonly byGroup = new Map<string, Set<(why: AppendWait) => void>>();
  private closed = false;

  /** How many callers wait now, over all groups. */
  get waiting(): number {
    let n = 0;
    for (const set of this.byGroup.values()) n += set.size;
    return n;
  }

  /**
   * Resolves at the next write to `group`, when `signal` aborts (the caller's timeout), or when
   * the store closes (then the caller must not read it). Registration is synchronous: a caller
   * that read the store and then waits in the same tick misses no write in between.
   */
  wait(group: string, signal: AbortSignal): Promise<AppendWait> {
    if (this.closed) return Promise.resolve("closed");
    if (signal.aborted) return Promise.resolve("aborted");
    return new Promise((resolve) => {
      let set = this.byGroup.get(group);
      if (!set) {
        set = new Set();
        this.byGroup.set(group, set);
      }
      const waiters = set;
      const finish = (why: AppendWait): void => {
        signal.removeEventListener("abort", onAbort);
        waiters.delete(finish);
        if (waiters.size === 0 && this.byGroup.get(group) === waiters) this.byGroup.delete(group);
        resolve(why);
      };
      const onAbort = (): void => finish("aborted");
      waiters.add(finish);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** After lines of these groups were committed. */
  notify(groups: Iterable<string>): void {
    if (this.closed) return;
    for (const group of groups) {
      const set = this.byGroup.get(group);
      if (!set) continue;
      for (const finish of [...set]) finish("appended");
    }
  }

  /** The store is closing: every waiter ends now, and later waits end at once. */
  close(): void {
    this.closed = true;
    for (const set of [...this.byGroup.values()]) {
      for (const finish of [...set]) finish("closed");
    }
    this.byGroup.clear();
  }
}
