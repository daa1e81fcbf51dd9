import { createHash } from "node:crypto";
import type { ApiDeps } from "../../src/domain/api-context.js";
import { AppRunnerError } from "../../src/errors/app-runner-error.js";
import type { RequestContext } from "../../src/protocol/context.js";
import type { AwsJsonApi } from "../../src/protocol/service-registry.js";

/**
 * A FAKE of the ECR API, for the console's tests only, until the real one (src/ecr/) is
 * merged: the read operations the console calls (DescribeRepositories, DescribeImages,
 * GetLifecyclePolicy, ListImages), answered in ECR's shapes (AWS JSON 1.1, SigV4 `ecr`, epoch
 * seconds, AWS's exception names and messages) from repositories and images the test puts
 * here directly. Served through the server's `extraApis`; replace it with the real module's
 * API (and real pushes) once that lands.
 */
export const ECR_TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921";

/** An ECR exception by its AWS name; the table of codes has none of ECR's yet. */
class FakeEcrError extends AppRunnerError {
  constructor(
    private readonly ecrType: string,
    message: string,
  ) {
    super("InvalidRequest", message);
  }

  override get awsType(): string {
    return this.ecrType;
  }
}

export interface FakeImage {
  tags: string[];
  sizeBytes: number;
  pushedAt: Date;
  digest?: string;
}

interface StoredRepository {
  name: string;
  createdAt: Date;
  tagMutability: "MUTABLE" | "IMMUTABLE";
  images: { digest: string; tags: string[]; sizeBytes: number; pushedAt: Date }[];
  policy?: { text: string; lastEvaluatedAt?: Date };
}

const seconds = (d: Date): number => d.getTime() / 1000;

export class FakeEcrApi {
  private readonly repositories = new Map<string, StoredRepository>();
  private readonly failures = new Map<string, { type: string; message: string }>();
  readonly calls: string[] = [];
  readonly api: AwsJsonApi<ApiDeps>;

  /** `pageSize` caps every page below ECR's own limits, so a client that ignores nextToken shows too little. */
  constructor(private readonly opts: { address?: string; pageSize?: number } = {}) {
    this.api = {
      targetPrefix: ECR_TARGET_PREFIX,
      signingName: "ecr",
      jsonVersion: "1.1",
      trailRedaction: "names",
      operations: {
        DescribeRepositories: (input, ctx) => this.run("DescribeRepositories", () => this.describeRepositories(input, ctx)),
        DescribeImages: (input, ctx) => this.run("DescribeImages", () => this.describeImages(input, ctx)),
        ListImages: (input, ctx) => this.run("ListImages", () => this.listImages(input, ctx)),
        GetLifecyclePolicy: (input, ctx) => this.run("GetLifecyclePolicy", () => this.getLifecyclePolicy(input, ctx)),
      },
    };
  }

  get address(): string {
    return this.opts.address ?? "127.0.0.1:8601";
  }

  createRepository(name: string, opts: { tagMutability?: "MUTABLE" | "IMMUTABLE"; createdAt?: Date } = {}): void {
    this.repositories.set(name, { name, createdAt: opts.createdAt ?? new Date(), tagMutability: opts.tagMutability ?? "MUTABLE", images: [] });
  }

  /** Stores an image as a push would; a tag moves from the image that had it, as in a registry. Returns its digest. */
  push(name: string, image: FakeImage): string {
    const repo = this.repository(name, "000000000000");
    const digest = image.digest ?? `sha256:${createHash("sha256").update(`${name}:${repo.images.length}:${image.tags.join(",")}`).digest("hex")}`;
    for (const other of repo.images) other.tags = other.tags.filter((t) => !image.tags.includes(t));
    repo.images.push({ digest, tags: [...image.tags], sizeBytes: image.sizeBytes, pushedAt: image.pushedAt });
    return digest;
  }

  putLifecyclePolicy(name: string, text: string, lastEvaluatedAt?: Date): void {
    this.repository(name, "000000000000").policy = { text, lastEvaluatedAt };
  }

  /** The next call of `operation` fails with this ECR exception (once). */
  failNext(operation: string, type: string, message: string): void {
    this.failures.set(operation, { type, message });
  }

  private run(operation: string, answer: () => unknown): unknown {
    this.calls.push(operation);
    const failure = this.failures.get(operation);
    if (failure) {
      this.failures.delete(operation);
      throw new FakeEcrError(failure.type, failure.message);
    }
    return answer();
  }

  private repository(name: unknown, registryId: string): StoredRepository {
    const repo = typeof name === "string" ? this.repositories.get(name) : undefined;
    if (!repo) throw new FakeEcrError("RepositoryNotFoundException", `The repository with name '${String(name)}' does not exist in the registry with id '${registryId}'`);
    return repo;
  }

  private page<T>(items: T[], input: Record<string, unknown>): { items: T[]; nextToken?: string } {
    const start = typeof input.nextToken === "string" ? Number(input.nextToken) : 0;
    const asked = typeof input.maxResults === "number" ? input.maxResults : 100;
    const size = Math.min(asked, this.opts.pageSize ?? 1000);
    const end = start + size;
    return { items: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
  }

  private describeRepositories(input: Record<string, unknown>, ctx: RequestContext<ApiDeps>): unknown {
    const account = ctx.config.accountId;
    const names = Array.isArray(input.repositoryNames) ? input.repositoryNames : undefined;
    const repos = names ? names.map((n) => this.repository(n, account)) : [...this.repositories.values()];
    const { items, nextToken } = this.page(repos, input);
    return {
      repositories: items.map((r) => ({
        repositoryArn: `arn:aws:ecr:${ctx.config.region}:${account}:repository/${r.name}`,
        registryId: account,
        repositoryName: r.name,
        repositoryUri: `${this.address}/${r.name}`,
        createdAt: seconds(r.createdAt),
        imageTagMutability: r.tagMutability,
        imageScanningConfiguration: { scanOnPush: false },
        encryptionConfiguration: { encryptionType: "AES256" },
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private describeImages(input: Record<string, unknown>, ctx: RequestContext<ApiDeps>): unknown {
    const account = ctx.config.accountId;
    const repo = this.repository(input.repositoryName, account);
    const { items, nextToken } = this.page(repo.images, input);
    return {
      imageDetails: items.map((i) => ({
        registryId: account,
        repositoryName: repo.name,
        imageDigest: i.digest,
        ...(i.tags.length > 0 ? { imageTags: i.tags } : {}),
        imageSizeInBytes: i.sizeBytes,
        imagePushedAt: seconds(i.pushedAt),
        imageManifestMediaType: "application/vnd.oci.image.manifest.v1+json",
        artifactMediaType: "application/vnd.oci.image.config.v1+json",
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private listImages(input: Record<string, unknown>, ctx: RequestContext<ApiDeps>): unknown {
    const repo = this.repository(input.repositoryName, ctx.config.accountId);
    const ids = repo.images.flatMap((i) => (i.tags.length === 0 ? [{ imageDigest: i.digest }] : i.tags.map((t) => ({ imageDigest: i.digest, imageTag: t }))));
    const { items, nextToken } = this.page(ids, input);
    return { imageIds: items, ...(nextToken ? { nextToken } : {}) };
  }

  private getLifecyclePolicy(input: Record<string, unknown>, ctx: RequestContext<ApiDeps>): unknown {
    const account = ctx.config.accountId;
    const repo = this.repository(input.repositoryName, account);
    if (!repo.policy) {
      throw new FakeEcrError("LifecyclePolicyNotFoundException", `Lifecycle policy does not exist for the repository with name '${repo.name}' in the registry with id '${account}'`);
    }
    return {
      registryId: account,
      repositoryName: repo.name,
      lifecyclePolicyText: repo.policy.text,
      ...(repo.policy.lastEvaluatedAt ? { lastEvaluatedAt: seconds(repo.policy.lastEvaluatedAt) } : {}),
    };
  }
}
