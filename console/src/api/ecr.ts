import type { AppRunnerClient } from "@aws-sdk/client-apprunner";
import { callAwsJson, type AwsJsonTarget } from "./aws-json";
import { AwsApiError } from "./errors";

/**
 * The ECR API on the console's endpoint (AWS JSON 1.1, SigV4 `ecr`), read with the shapes of
 * botocore's ECR model: timestamps are epoch seconds, members are camelCase.
 */
const ECR: AwsJsonTarget = { signingName: "ecr", targetPrefix: "AmazonEC2ContainerRegistry_V20150921", jsonVersion: "1.1" };

export interface Repository {
  repositoryName: string;
  repositoryUri: string;
  repositoryArn: string;
  registryId?: string;
  createdAt?: Date;
  imageTagMutability?: string;
}

export interface ImageDetail {
  imageDigest: string;
  imageTags: string[];
  imagePushedAt?: Date;
  imageSizeInBytes?: number;
  imageManifestMediaType?: string;
}

export interface LifecyclePolicy {
  lifecyclePolicyText: string;
  lastEvaluatedAt?: Date;
}

/** Bounds on paging: far more than a console page shows, and no endless loop on a repeated token. */
const MAX_PAGES = 50;

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const epoch = (v: unknown): Date | undefined => (typeof v === "number" ? new Date(v * 1000) : undefined);
const records = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null) : []);

function repositoryOf(r: Record<string, unknown>): Repository {
  return {
    repositoryName: str(r.repositoryName) ?? "",
    repositoryUri: str(r.repositoryUri) ?? "",
    repositoryArn: str(r.repositoryArn) ?? "",
    registryId: str(r.registryId),
    createdAt: epoch(r.createdAt),
    imageTagMutability: str(r.imageTagMutability),
  };
}

function imageOf(d: Record<string, unknown>): ImageDetail {
  return {
    imageDigest: str(d.imageDigest) ?? "",
    imageTags: Array.isArray(d.imageTags) ? d.imageTags.filter((t): t is string => typeof t === "string") : [],
    imagePushedAt: epoch(d.imagePushedAt),
    imageSizeInBytes: typeof d.imageSizeInBytes === "number" ? d.imageSizeInBytes : undefined,
    imageManifestMediaType: str(d.imageManifestMediaType),
  };
}

async function allPages(apprunner: AppRunnerClient, operation: string, input: Record<string, unknown>, member: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await callAwsJson(apprunner, ECR, operation, { ...input, ...(token ? { nextToken: token } : {}) });
    out.push(...records(answer[member]));
    const next = str(answer.nextToken);
    if (!next || next === token) break;
    token = next;
  }
  return out;
}

/** Every repository of the registry, by name. */
export async function describeRepositories(apprunner: AppRunnerClient): Promise<Repository[]> {
  const found = await allPages(apprunner, "DescribeRepositories", {}, "repositories");
  return found.map(repositoryOf).sort((a, b) => a.repositoryName.localeCompare(b.repositoryName));
}

/** One repository, or undefined when it does not exist (RepositoryNotFoundException). */
export async function describeRepository(apprunner: AppRunnerClient, name: string): Promise<Repository | undefined> {
  try {
    const answer = await callAwsJson(apprunner, ECR, "DescribeRepositories", { repositoryNames: [name] });
    const [first] = records(answer.repositories);
    return first ? repositoryOf(first) : undefined;
  } catch (err) {
    if (err instanceof AwsApiError && err.name === "RepositoryNotFoundException") return undefined;
    throw err;
  }
}

/** A repository's images, newest push first (as ECR's console lists them). */
export async function describeImages(apprunner: AppRunnerClient, name: string): Promise<ImageDetail[]> {
  const found = await allPages(apprunner, "DescribeImages", { repositoryName: name }, "imageDetails");
  return found.map(imageOf).sort((a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0));
}

/** The repository's lifecycle policy, or undefined when it has none (LifecyclePolicyNotFoundException). */
export async function getLifecyclePolicy(apprunner: AppRunnerClient, name: string): Promise<LifecyclePolicy | undefined> {
  try {
    const answer = await callAwsJson(apprunner, ECR, "GetLifecyclePolicy", { repositoryName: name });
    return { lifecyclePolicyText: str(answer.lifecyclePolicyText) ?? "", lastEvaluatedAt: epoch(answer.lastEvaluatedAt) };
  } catch (err) {
    if (err instanceof AwsApiError && err.name === "LifecyclePolicyNotFoundException") return undefined;
    throw err;
  }
}

/**
 * Whether an error says the endpoint serves no ECR API at all (a server without the built-in
 * registry), rather than that a call failed: the front door's UnknownOperationException, a
 * 404, or its SigV4 check refusing the `ecr` scope because no API of that name is served.
 */
export function ecrNotServed(err: unknown): boolean {
  if (!(err instanceof AwsApiError)) return false;
  if (err.name === "UnknownOperationException" || err.status === 404) return true;
  return err.name === "InvalidSignatureException" && /scoped to correct service: '(?!ecr')/.test(err.message);
}

/** "IMMUTABLE" → "Immutable", as ECR's console shows tag immutability. */
export const humanMutability = (m: string | undefined): string => (m === "IMMUTABLE" ? "Immutable" : m === "MUTABLE" ? "Mutable" : m ?? "—");

export const NOT_SERVED_MESSAGE = "Image repositories are not available on this server.";

/** What an ECR read gave: its value, or that this server serves no ECR API (a state, not an error). */
export type EcrAnswer<T> = { served: true; value: T } | { served: false };

export async function ecrRead<T>(read: () => Promise<T>): Promise<EcrAnswer<T>> {
  try {
    return { served: true, value: await read() };
  } catch (err) {
    if (ecrNotServed(err)) return { served: false };
    throw err;
  }
}
