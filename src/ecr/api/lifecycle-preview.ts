import { invalidParameter, invalidParameterAt, lifecyclePolicyNotFound, lifecyclePolicyPreviewNotFound } from "../errors.js";
import { expiredImages } from "../lifecycle/decide.js";
import { parseLifecyclePolicy } from "../lifecycle/policy.js";
import { pageOf } from "../paging.js";
import { requireRepository, type EcrHandler } from "./env.js";
import { checkImageId, findImage, type ImageId } from "./images.js";
import { matchesTagStatus, repositoryNameIn, tagStatusOf } from "./input.js";
import { checkPolicyLength } from "./lifecycle.js";

/*
 * A dry run of a lifecycle policy (the repository's, or one given): which images it would
 * expire, by which rule. The decision is the sweep's own (lifecycle/decide.ts) at the time the
 * preview was started, over the images the registry holds when the preview is read; it
 * completes at once, so a preview is never IN_PROGRESS here.
 */

const startLifecyclePolicyPreview: EcrHandler = (raw, ctx, env) => {
  const input = raw as { registryId?: string; repositoryName?: string; lifecyclePolicyText?: string };
  const name = repositoryNameIn(input, ctx);
  const given = input.lifecyclePolicyText === undefined ? undefined : checkPolicyLength(input.lifecyclePolicyText);
  const repo = requireRepository(env, ctx, name);
  const text = given ?? repo.lifecyclePolicy;
  if (text === undefined) throw lifecyclePolicyNotFound(name, ctx.config.accountId);
  parseLifecyclePolicy(text);
  env.repositories.setLifecyclePreview(name, text, ctx.clock.now());
  return { registryId: ctx.config.accountId, repositoryName: name, lifecyclePolicyText: text, status: "IN_PROGRESS" };
};

interface PreviewInput {
  registryId?: string;
  repositoryName?: string;
  imageIds?: ImageId[];
  nextToken?: string;
  maxResults?: number;
  filter?: { tagStatus?: string };
}

const getLifecyclePolicyPreview: EcrHandler = async (raw, ctx, env) => {
  const input = raw as PreviewInput;
  const name = repositoryNameIn(input, ctx);
  const status = tagStatusOf(input.filter);
  if (input.maxResults !== undefined && (input.maxResults < 1 || input.maxResults > 100)) {
    throw invalidParameterAt("maxResults", "Member must have value between 1 and 100");
  }
  if (input.imageIds !== undefined && (input.maxResults !== undefined || input.nextToken !== undefined)) {
    throw invalidParameter("Invalid parameter: maxResults and nextToken cannot be used when imageIds are specified");
  }
  input.imageIds?.forEach((id, n) => checkImageId(id, `imageIds.${n + 1}.member`));
  const repo = requireRepository(env, ctx, name);
  if (!repo.preview) throw lifecyclePolicyPreviewNotFound(name, ctx.config.accountId);
  const images = await env.registry.listImages(name);
  const expiries = expiredImages(parseLifecyclePolicy(repo.preview.policy), images, repo.preview.at);
  const results = expiries.flatMap((e) => {
    const image = images.find((i) => i.digest === e.digest);
    return image ? [{ image, rulePriority: e.rulePriority }] : [];
  });
  const asked = input.imageIds;
  const selected = results
    .filter((r) => matchesTagStatus(r.image.tags, status))
    .filter((r) => asked === undefined || asked.some((id) => findImage([r.image], id) !== undefined))
    .sort((a, b) => a.image.digest.localeCompare(b.image.digest));
  const { items, nextToken } = pageOf(selected, (r) => r.image.digest, input.nextToken, input.maxResults ?? 100);
  return {
    registryId: ctx.config.accountId,
    repositoryName: name,
    lifecyclePolicyText: repo.preview.policy,
    status: "COMPLETE",
    previewResults: items.map((r) => ({
      ...(r.image.tags.length > 0 ? { imageTags: [...r.image.tags] } : {}),
      imageDigest: r.image.digest,
      imagePushedAt: r.image.pushedAt.getTime() / 1000,
      action: { type: "EXPIRE" },
      appliedRulePriority: r.rulePriority,
    })),
    summary: { expiringImageTotalCount: results.length },
    ...(nextToken ? { nextToken } : {}),
  };
};

export const lifecyclePreviewOperations: Record<string, EcrHandler> = {
  StartLifecyclePolicyPreview: startLifecyclePolicyPreview,
  GetLifecyclePolicyPreview: getLifecyclePolicyPreview,
};
