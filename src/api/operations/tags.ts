import type { ListTagsForResourceRequest, TagResourceRequest, UntagResourceRequest } from "@aws-sdk/client-apprunner";
import { notFound } from "../../errors/app-runner-error.js";
import type { ResourceKind } from "../../store/resources.js";
import { handler, type OperationHandler, type RequestContext } from "../../domain/api-context.js";
import type { Wire } from "../../protocol/wire.js";
import { checkTags } from "./common.js";

/** Every App Runner resource with an ARN. Custom domains have none (their row key only looks like one). */
const TAGGABLE: ReadonlySet<ResourceKind> = new Set<ResourceKind>([
  "service",
  "auto-scaling-configuration",
  "observability-configuration",
  "connection",
  "vpc-connector",
  "vpc-ingress-connection",
]);

/**
 * The resource a tag request names, by its exact ARN, not deleted. Tags "aren't part of [a
 * service's] definition and don't affect its runtime behavior" (developer guide), so no state
 * of the resource (an operation in progress, for instance) stops them: InvalidStateException,
 * which the model lists for these operations, has no documented cause and is never raised.
 */
function requireTaggable(ctx: RequestContext, arn: string): string {
  const row = ctx.store.resources.get(arn);
  if (!row || !TAGGABLE.has(row.kind) || row.deletedAt !== null) throw notFound(`Resource not found: ${arn}`);
  return row.arn;
}

const tagResource = handler<Wire<TagResourceRequest>>((input, ctx) =>
  ctx.store.tx(() => {
    const arn = requireTaggable(ctx, input.ResourceArn ?? "");
    // Keys already on the resource are updated in place, so only the others count against the quota.
    const given = new Set((input.Tags ?? []).map((t) => t.Key));
    const kept = ctx.store.tags.list(arn).filter((t) => !given.has(t.Key)).length;
    ctx.store.tags.put(arn, checkTags(ctx, input.Tags, kept));
    return {};
  }),
);

const untagResource = handler<Wire<UntagResourceRequest>>((input, ctx) =>
  ctx.store.tx(() => {
    // Keys the resource does not have are ignored, as AWS tagging APIs do.
    ctx.store.tags.remove(requireTaggable(ctx, input.ResourceArn ?? ""), input.TagKeys ?? []);
    return {};
  }),
);

const listTagsForResource = handler<Wire<ListTagsForResourceRequest>>((input, ctx) => ({
  Tags: ctx.store.tags.list(requireTaggable(ctx, input.ResourceArn ?? "")),
}));

export const tagsOperations: Record<string, OperationHandler> = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};
