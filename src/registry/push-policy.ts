import type { TagMutability } from "./types.js";

/** A request to the distribution API, as the front door reads its path. */
export interface RegistryRequest {
  repository: string;
  /** `manifests`, `blobs`, `uploads` (blob uploads) or `tags`. */
  kind: "manifests" | "blobs" | "uploads" | "tags";
  /** The manifest's tag or digest, the blob digest, the upload id ("" to start one); "list" for tags. */
  reference: string;
}

const PATH = /^\/v2\/(.+?)\/(manifests\/[^/]+|blobs\/uploads\/[^/]*|blobs\/[^/]+|tags\/list)$/;
const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** Pure: the repository and object a `/v2/...` path names; undefined for `/v2/`, the catalog or a malformed path. */
export function parseRegistryPath(pathname: string): RegistryRequest | undefined {
  const m = PATH.exec(pathname);
  if (!m?.[1] || !m[2] || !NAME.test(m[1])) return undefined;
  const [kind, ...rest] = m[2].split("/");
  if (kind === "blobs" && rest[0] === "uploads") return { repository: m[1], kind: "uploads", reference: rest[1] ?? "" };
  return { repository: m[1], kind: kind as RegistryRequest["kind"], reference: rest.join("/") };
}

/** An error the front door answers with instead of passing the request on, in ECR's words. */
export interface RegistryRefusal {
  status: number;
  code: string;
  message: string;
}

export interface PushFacts {
  method: string;
  request: RegistryRequest;
  /** The repository's settings from the ECR side; undefined when it was never created. */
  repository: { tagMutability: TagMutability } | undefined;
  accountId: string;
  /** Whether the tag the request names exists now (asked only for a manifest PUT by tag). */
  tagExists: (tag: string) => boolean;
}

const isDigest = (reference: string): boolean => /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(reference);

/**
 * Pure: what ECR refuses before the registry sees the request. A repository that was not
 * created does not exist for pushes or pulls (NAME_UNKNOWN); an IMMUTABLE repository refuses a
 * manifest put on a tag that already exists (TAG_INVALID, ECR's ImageTagAlreadyExistsException
 * as the registry protocol carries it). Everything else goes on to the registry.
 */
export function refusalOf(f: PushFacts): RegistryRefusal | undefined {
  const name = f.request.repository;
  if (!f.repository) {
    return {
      status: 404,
      code: "NAME_UNKNOWN",
      message: `The repository with name '${name}' does not exist in the registry with id '${f.accountId}'`,
    };
  }
  const tag = f.request.reference;
  if (f.method === "PUT" && f.request.kind === "manifests" && !isDigest(tag) && f.repository.tagMutability === "IMMUTABLE" && f.tagExists(tag)) {
    return {
      status: 400,
      code: "TAG_INVALID",
      message: `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`,
    };
  }
  return undefined;
}

/** The distribution error document for a refusal. */
export function refusalBody(r: RegistryRefusal): string {
  return JSON.stringify({ errors: [{ code: r.code, message: r.message, detail: null }] });
}
