/** The longest wait after failed starts in a row. */
export const MAX_START_BACKOFF_MS = 60_000;

/**
 * Pure: how long a deployment waits (and its held requests get 503) after `failures` failed
 * starts in a row: 1 s, 2 s, 4 s ... 60 s. The local supervisor's replacements and the swarm
 * driver's wakes back off alike.
 */
export function startBackoffMs(failures: number): number {
  return Math.min(MAX_START_BACKOFF_MS, 1000 * 2 ** Math.max(0, Math.min(failures - 1, 16)));
}
