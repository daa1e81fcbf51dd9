/** The values CloudWatch Logs accepts for retentionInDays (PutRetentionPolicy). */
export const RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const DAY_MS = 86_400_000;

export const isRetentionDays = (n: unknown): n is number => typeof n === "number" && RETENTION_DAYS.includes(n);

export interface RetentionGroup {
  id: number;
  retentionDays: number | null;
}

export interface PendingPurge {
  id: number;
  groupId: number;
  streamId: number | null;
}

/** One thing the sweep deletes, in bounded batches until none is left. */
export type SweepStep =
  | { kind: "purge"; purgeId: number; groupId: number; streamId: number | null }
  | { kind: "expire"; groupId: number; before: number };

/**
 * What a sweep at `now` deletes: first the events of deleted groups and streams, then, per
 * group with a retention policy, every event older than `retentionInDays` days (by event
 * timestamp, as CloudWatch Logs does). Groups without a policy keep events forever.
 */
export function planSweep(groups: readonly RetentionGroup[], purges: readonly PendingPurge[], now: number): SweepStep[] {
  const steps: SweepStep[] = purges.map((p) => ({ kind: "purge", purgeId: p.id, groupId: p.groupId, streamId: p.streamId }));
  for (const g of groups) {
    if (g.retentionDays === null) continue;
    steps.push({ kind: "expire", groupId: g.id, before: now - g.retentionDays * DAY_MS });
  }
  return steps;
}
