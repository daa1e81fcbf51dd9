import type { StoredImage } from "../../registry/types.js";
import { invalidParameterAt } from "../errors.js";
import { requireRepository, type EcrHandler } from "./env.js";
import { DIGEST, repositoryNameIn, required } from "./input.js";
import { findImage, type ImageId } from "./images.js";

/** ECR's per-image failure in a batch answer. */
interface ImageFailure {
  imageId: ImageId;
  failureCode: "MissingDigestAndTag" | "InvalidImageDigest" | "InvalidImageTag" | "ImageNotFound" | "ImageTagDoesNotMatchDigest";
  failureReason: string;
}

/** Why an image id cannot name an image, as a batch failure; undefined when it is well formed. */
function malformed(id: ImageId): ImageFailure | undefined {
  if (id.imageDigest === undefined && id.imageTag === undefined) {
    return { imageId: id, failureCode: "MissingDigestAndTag", failureReason: "Invalid request parameters: both tag and digest cannot be null" };
  }
  if (id.imageDigest !== undefined && !DIGEST.test(id.imageDigest)) {
    return { imageId: id, failureCode: "InvalidImageDigest", failureReason: "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'" };
  }
  if (id.imageTag !== undefined && (id.imageTag.length < 1 || id.imageTag.length > 300)) {
    return { imageId: id, failureCode: "InvalidImageTag", failureReason: "Invalid request parameters: image tag should be between 1 and 300 characters" };
  }
  return undefined;
}

/** The image an id names, or the failure saying why there is none (a tag on another image: ImageTagDoesNotMatchDigest). */
function lookUp(images: readonly StoredImage[], id: ImageId): StoredImage | ImageFailure {
  const bad = malformed(id);
  if (bad) return bad;
  const image = findImage(images, id);
  if (image) return image;
  if (id.imageDigest !== undefined && id.imageTag !== undefined && findImage(images, { imageTag: id.imageTag })) {
    return { imageId: id, failureCode: "ImageTagDoesNotMatchDigest", failureReason: "Invalid request parameters: image tag does not match digest" };
  }
  return { imageId: id, failureCode: "ImageNotFound", failureReason: "Requested image not found" };
}

const isFailure = (x: StoredImage | ImageFailure): x is ImageFailure => "failureCode" in x;

function checkImageIds(ids: ImageId[] | undefined): ImageId[] {
  const list = required(ids, "imageIds");
  if (list.length < 1 || list.length > 100) throw invalidParameterAt("imageIds", "Member must have length between 1 and 100");
  return list;
}

/**
 * By tag: the tag goes, and the image with it only when it was the image's last tag. By digest:
 * the image with every tag. Each id is answered on its own (deleted, or a failure), as ECR does.
 */
const batchDeleteImage: EcrHandler = async (raw, ctx, env) => {
  const input = raw as { registryId?: string; repositoryName?: string; imageIds?: ImageId[] };
  const name = repositoryNameIn(input, ctx);
  const ids = checkImageIds(input.imageIds);
  requireRepository(env, ctx, name);
  // A working copy: later ids see what earlier ones removed.
  const images = (await env.registry.listImages(name)).map((i) => ({ ...i, tags: [...i.tags] }));
  const deleted: ImageId[] = [];
  const failures: ImageFailure[] = [];
  for (const id of ids) {
    const found = lookUp(images, id);
    if (isFailure(found)) {
      failures.push(found);
      continue;
    }
    if (id.imageTag !== undefined && found.tags.length > 1) {
      await env.registry.untag(name, id.imageTag);
      found.tags = found.tags.filter((t) => t !== id.imageTag);
      deleted.push({ imageDigest: found.digest, imageTag: id.imageTag });
      continue;
    }
    await env.registry.deleteImage(name, found.digest);
    images.splice(images.indexOf(found), 1);
    deleted.push(...(found.tags.length === 0 ? [{ imageDigest: found.digest }] : found.tags.map((t) => ({ imageDigest: found.digest, imageTag: t }))));
  }
  return { imageIds: deleted, failures };
};

/** Manifests as stored, by tag or digest; acceptedMediaTypes is checked, not used to convert (the registry keeps one form). */
const batchGetImage: EcrHandler = async (raw, ctx, env) => {
  const input = raw as { registryId?: string; repositoryName?: string; imageIds?: ImageId[]; acceptedMediaTypes?: string[] };
  const name = repositoryNameIn(input, ctx);
  const ids = checkImageIds(input.imageIds);
  if (input.acceptedMediaTypes !== undefined && (input.acceptedMediaTypes.length < 1 || input.acceptedMediaTypes.length > 100)) {
    throw invalidParameterAt("acceptedMediaTypes", "Member must have length between 1 and 100");
  }
  requireRepository(env, ctx, name);
  const stored = await env.registry.listImages(name);
  const images: Record<string, unknown>[] = [];
  const failures: ImageFailure[] = [];
  for (const id of ids) {
    const found = lookUp(stored, id);
    const manifest = isFailure(found) ? undefined : await env.registry.getManifest(name, found.digest);
    if (isFailure(found) || !manifest) {
      failures.push(isFailure(found) ? found : { imageId: id, failureCode: "ImageNotFound", failureReason: "Requested image not found" });
      continue;
    }
    images.push({
      registryId: ctx.config.accountId,
      repositoryName: name,
      imageId: { imageDigest: manifest.digest, ...(id.imageTag !== undefined ? { imageTag: id.imageTag } : {}) },
      imageManifest: manifest.body.toString("utf8"),
      imageManifestMediaType: manifest.mediaType,
    });
  }
  return { images, failures };
};

export const batchOperations: Record<string, EcrHandler> = {
  BatchDeleteImage: batchDeleteImage,
  BatchGetImage: batchGetImage,
};
