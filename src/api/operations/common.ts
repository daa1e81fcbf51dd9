import { invalidRequest, notFound } from "../../errors/app-runner-error.js";
import type { ServiceRow } from "../../domain/service-record.js";
import type { Tag } from "../../store/tags.js";
import type { RequestContext } from "../../domain/api-context.js";
import { checkScaleToZeroTag } from "../../domain/scale-to-zero.js";
import { checkGradualRolloutTag } from "../../domain/gradual-rollout.js";

/** A service that has not been deleted, or ResourceNotFoundException. */
export function requireService(ctx: RequestContext, arn: string): ServiceRow {
  const row = ctx.store.resources.get<ServiceRow["doc"], ServiceRow["internal"]>(arn);
  if (!row || row.kind !== "service" || row.deletedAt !== null) {
    throw notFound(`Service not found: ${arn}`);
  }
  return row;
}

/** Tags given at creation or to TagResource: unique keys, within the per-resource quota. */
export function checkTags(ctx: RequestContext, tags: readonly Partial<Tag>[] | undefined, existing = 0): Tag[] {
  const list = tags ?? [];
  const keys = new Set<string>();
  for (const t of list) {
    // The model leaves Tag's members optional, so a Key-less tag reaches us; it cannot be stored.
    if (t.Key === undefined) throw invalidRequest("Every tag must have a Key.");
    if (keys.has(t.Key)) throw invalidRequest(`Duplicate tag key: ${t.Key}`);
    keys.add(t.Key);
  }
  if (existing + list.length > ctx.config.quotas.tagsPerResource) {
    throw invalidRequest(`A resource can have at most ${ctx.config.quotas.tagsPerResource} tags.`);
  }
  const out = list.map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" }));
  // OpenRunner's opt-in tags change how a service runs: a value that would be ignored is refused.
  checkScaleToZeroTag(out, { minMs: ctx.config.scaleToZeroMinIdleMs });
  checkGradualRolloutTag(out, { minIntervalMs: ctx.config.rolloutMinIntervalMs });
  return out;
}
