import type { LifecyclePolicy, LifecycleRule, LifecycleSelection } from "./policy.js";

/** What a lifecycle decision needs of an image (the registry's StoredImage has it). */
export interface LifecycleImage {
  digest: string;
  tags: readonly string[];
  pushedAt: Date;
}

/** An image a policy expires, and the rule that expires it. */
export interface Expiry {
  digest: string;
  rulePriority: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A tagPatternList pattern as a whole-tag regex: `*` is any run of characters, the rest literal. */
const patternRegex = (pattern: string): RegExp => new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);

/** Whether the image meets the rule's tagging requirements (what then shields it from lower-priority rules). */
export function selects(selection: LifecycleSelection, image: LifecycleImage): boolean {
  switch (selection.tagStatus) {
    case "any":
      return true;
    case "untagged":
      return image.tags.length === 0;
    case "tagged": {
      if (image.tags.length === 0) return false;
      // Every prefix (or pattern) must match one of the image's tags.
      if (selection.tagPrefixList) return selection.tagPrefixList.every((p) => image.tags.some((t) => t.startsWith(p)));
      if (selection.tagPatternList) return selection.tagPatternList.map(patternRegex).every((re) => image.tags.some((t) => re.test(t)));
      return false;
    }
  }
}

/** Of the images a rule selects, those its count expires: beyond the newest N, or pushed more than N days before `now`. */
function overCount(rule: LifecycleRule, selected: readonly LifecycleImage[], now: number): LifecycleImage[] {
  const { countType, countNumber } = rule.selection;
  if (countType === "sinceImagePushed") return selected.filter((i) => now - i.pushedAt.getTime() > countNumber * DAY_MS);
  // Newest first; equal push times in digest order so the decision does not depend on input order.
  const byAge = [...selected].sort((a, b) => b.pushedAt.getTime() - a.pushedAt.getTime() || a.digest.localeCompare(b.digest));
  return byAge.slice(countNumber);
}

/**
 * Which images a lifecycle policy expires at `now`, as ECR documents its evaluation: rules in
 * ascending rulePriority; an image is expired by at most one rule; an image that meets the
 * tagging requirements of a rule cannot be expired by a rule of lower priority; a rule still
 * counts images that higher-priority rules selected or expired (it sees them "as if they had
 * not been expired"), it only cannot expire them; `imageCountMoreThan` keeps the newest N by
 * push time and `sinceImagePushed` expires what is older than N days. Oldest first.
 */
export function expiredImages(policy: LifecyclePolicy, images: readonly LifecycleImage[], now: number): Expiry[] {
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  const claimed = new Set<string>();
  const expired: (Expiry & { pushedAt: number })[] = [];
  for (const rule of rules) {
    const selected = images.filter((i) => selects(rule.selection, i));
    for (const image of overCount(rule, selected, now)) {
      if (claimed.has(image.digest)) continue;
      expired.push({ digest: image.digest, rulePriority: rule.rulePriority, pushedAt: image.pushedAt.getTime() });
    }
    for (const image of selected) claimed.add(image.digest);
  }
  return expired.sort((a, b) => a.pushedAt - b.pushedAt || a.digest.localeCompare(b.digest)).map(({ digest, rulePriority }) => ({ digest, rulePriority }));
}
