/*
 * Staging labels: each is on at most one version of a secret. A new version takes the labels it
 * is given (AWSCURRENT by default); a label it takes leaves the version that had it, and when
 * AWSCURRENT moves, the version that had it becomes AWSPREVIOUS, as Secrets Manager does in a rotation.
 */

export const AWSCURRENT = "AWSCURRENT";
export const AWSPREVIOUS = "AWSPREVIOUS";
export const AWSPENDING = "AWSPENDING";

/** The labels (label -> version id) after `versionId` takes `labels`. */
export function moveStages(current: ReadonlyMap<string, string>, versionId: string, labels: readonly string[]): Map<string, string> {
  const next = new Map(current);
  const previousCurrent = current.get(AWSCURRENT);
  for (const label of labels) next.set(label, versionId);
  if (labels.includes(AWSCURRENT) && previousCurrent !== undefined && previousCurrent !== versionId) next.set(AWSPREVIOUS, previousCurrent);
  return next;
}

/** Version id -> its labels, in label order, as DescribeSecret's VersionIdsToStages. */
export function stagesByVersion(stages: ReadonlyMap<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [label, versionId] of [...stages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) (out[versionId] ??= []).push(label);
  return out;
}

/**
 * Deprecated versions (no label) beyond what a secret keeps, oldest first: Secrets Manager keeps
 * about 100 versions of a secret and removes unlabeled ones beyond that.
 */
export function versionsToDrop(newestFirst: readonly string[], stages: ReadonlyMap<string, string>, keep: number): string[] {
  const labeled = new Set(stages.values());
  const excess = newestFirst.length - keep;
  if (excess <= 0) return [];
  return newestFirst
    .filter((v) => !labeled.has(v))
    .reverse()
    .slice(0, excess);
}
