import type { RequestContext } from "../../domain/api-context.js";
import type { StoredImage } from "../../registry/types.js";
import { imageNotFound, invalidParameter, invalidParameterAt } from "../errors.js";
import { pageOf } from "../paging.js";
import { requireRepository, type EcrEnv, type EcrHandler } from "./env.js";
import { checkImageTag, DIGEST, matchesTagStatus, maxResultsOf, repositoryNameIn, tagStatusOf, type TagStatusFilter } from "./input.js";

/** An image id as requests give it: a digest, a tag, or both. */
export interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}

/** The image an id names among `images`: by digest and/or tag (both must agree); undefined when none. */
export function findImage(images: readonly StoredImage[], id: ImageId): StoredImage | undefined {
  return images.find(
    (i) => (id.imageDigest === undefined || i.digest === id.imageDigest) && (id.imageTag === undefined || i.tags.includes(id.imageTag)),
  );
}

/** Checks an image id's members as ECR does; a missing digest and tag is the caller's to report. */
export function checkImageId(id: ImageId, where: string): void {
  if (id.imageTag !== undefined) checkImageTag(id.imageTag, `${where}.imageTag`);
  if (id.imageDigest !== undefined && !DIGEST.test(id.imageDigest)) throw invalidParameterAt(`${where}.imageDigest`, "Invalid image digest");
}

interface ListImagesInput {
  registryId?: string;
  repositoryName?: string;
  nextToken?: string;
  maxResults?: number;
  filter?: { tagStatus?: string };
}

/** What a listing of a repository's images asks for, checked; and the repository's images. */
async function listing(input: ListImagesInput, ctx: RequestContext, env: EcrEnv): Promise<{ name: string; status: TagStatusFilter; max: number; images: StoredImage[] }> {
  const name = repositoryNameIn(input, ctx);
  requireRepository(env, ctx, name);
  const status = tagStatusOf(input.filter);
  const max = maxResultsOf(input.maxResults);
  return { name, status, max, images: await env.registry.listImages(name) };
}

/** One entry per tag of a tagged image and one per untagged image, in digest-then-tag order. */
const listImages: EcrHandler = async (raw, ctx, env) => {
  const input = raw as ListImagesInput;
  const { status, max, images: all } = await listing(input, ctx, env);
  const images = all.filter((i) => matchesTagStatus(i.tags, status));
  const ids = images
    .flatMap((i) => (i.tags.length === 0 ? [{ imageDigest: i.digest }] : [...i.tags].sort().map((t) => ({ imageDigest: i.digest, imageTag: t }))))
    .sort((a, b) => idKey(a).localeCompare(idKey(b)));
  const { items, nextToken } = pageOf(ids, idKey, input.nextToken, max);
  return { imageIds: items, ...(nextToken ? { nextToken } : {}) };
};

/** Sorts and pages image ids: the digest, then the tag (an untagged entry before the tagged ones). */
const idKey = (id: ImageId): string => `${id.imageDigest ?? ""} ${id.imageTag ?? ""}`;

/** An image as DescribeImages answers with it. */
export function imageDetail(image: StoredImage, name: string, ctx: RequestContext): Record<string, unknown> {
  return {
    registryId: ctx.config.accountId,
    repositoryName: name,
    imageDigest: image.digest,
    ...(image.tags.length > 0 ? { imageTags: [...image.tags] } : {}),
    imageSizeInBytes: image.sizeBytes,
    imagePushedAt: image.pushedAt.getTime() / 1000,
    imageManifestMediaType: image.manifestMediaType,
    ...(image.artifactMediaType !== undefined ? { artifactMediaType: image.artifactMediaType } : {}),
  };
}

interface DescribeImagesInput extends ListImagesInput {
  imageIds?: ImageId[];
}

const describeImages: EcrHandler = async (raw, ctx, env) => {
  const input = raw as DescribeImagesInput;
  const { name, status, max, images } = await listing(input, ctx, env);
  if (input.imageIds !== undefined) {
    if (input.imageIds.length < 1 || input.imageIds.length > 100) throw invalidParameterAt("imageIds", "Member must have length between 1 and 100");
    if (input.maxResults !== undefined || input.nextToken !== undefined) {
      throw invalidParameter("Invalid parameter: maxResults and nextToken cannot be used when imageIds are specified");
    }
    const found = new Map<string, StoredImage>();
    input.imageIds.forEach((id, n) => {
      checkImageId(id, `imageIds.${n + 1}.member`);
      const image = id.imageDigest === undefined && id.imageTag === undefined ? undefined : findImage(images, id);
      if (!image) throw imageNotFound(id, name, ctx.config.accountId);
      found.set(image.digest, image);
    });
    return { imageDetails: [...found.values()].filter((i) => matchesTagStatus(i.tags, status)).map((i) => imageDetail(i, name, ctx)) };
  }
  const selected = images.filter((i) => matchesTagStatus(i.tags, status)).sort((a, b) => a.digest.localeCompare(b.digest));
  const { items, nextToken } = pageOf(selected, (i) => i.digest, input.nextToken, max);
  return { imageDetails: items.map((i) => imageDetail(i, name, ctx)), ...(nextToken ? { nextToken } : {}) };
};

export const imageOperations: Record<string, EcrHandler> = {
  ListImages: listImages,
  DescribeImages: describeImages,
};
