import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyCommand,
  GetLifecyclePolicyPreviewCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  StartLifecyclePolicyPreviewCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-ecr";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startEcrServer, type EcrServer } from "./support/ecr-server.js";
import { eventually } from "./support/harness.js";

const DAY = 24 * 60 * 60 * 1000;
const EXPIRE_UNTAGGED = JSON.stringify({
  rules: [{ rulePriority: 1, description: "untagged", selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }, action: { type: "expire" } }],
});

describe("the ECR API through @aws-sdk/client-ecr over real HTTP", () => {
  let s: EcrServer;
  let account: string;
  before(async () => {
    s = await startEcrServer();
    account = s.server.running.config.accountId;
  });
  after(async () => s.close());

  it("CreateRepository answers with the repository as AWS shapes it, and DescribeRepositories finds it", async () => {
    const created = await s.ecr.send(
      new CreateRepositoryCommand({
        repositoryName: "team/web",
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: "KMS", kmsKey: "alias/app" },
        tags: [{ Key: "team", Value: "web" }],
      }),
    );
    const repo = created.repository;
    assert.ok(repo);
    assert.equal(repo.repositoryArn, `arn:aws:ecr:us-east-1:${account}:repository/team/web`);
    assert.equal(repo.registryId, account);
    assert.equal(repo.repositoryName, "team/web");
    assert.equal(repo.repositoryUri, "127.0.0.1:8601/team/web");
    assert.ok(repo.createdAt instanceof Date && Math.abs(repo.createdAt.getTime() - Date.now()) < 10 * 60_000);
    assert.equal(repo.imageTagMutability, "IMMUTABLE");
    assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: true });
    assert.deepEqual(repo.encryptionConfiguration, { encryptionType: "KMS", kmsKey: "alias/app" });
    assert.equal(s.module().repositories.find("team/web")?.tagMutability, "IMMUTABLE");

    const described = await s.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["team/web"] }));
    assert.deepEqual(described.repositories, [repo]);
    const tags = await s.ecr.send(new ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }));
    assert.deepEqual(tags.tags, [{ Key: "team", Value: "web" }]);
  });

  it("a second CreateRepository of the name is RepositoryAlreadyExistsException; a bad name InvalidParameterException", async () => {
    await s.ecr.send(new CreateRepositoryCommand({ repositoryName: "dup" }));
    await assert.rejects(s.ecr.send(new CreateRepositoryCommand({ repositoryName: "dup" })), {
      name: "RepositoryAlreadyExistsException",
      message: `The repository with name 'dup' already exists in the registry with id '${account}'`,
    });
    await assert.rejects(s.ecr.send(new CreateRepositoryCommand({ repositoryName: "Dup" })), {
      name: "InvalidParameterException",
      message: "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''",
    });
    assert.equal(s.module().repositories.find("Dup"), undefined);
  });

  it("DescribeRepositories pages with maxResults and nextToken; an unknown name is RepositoryNotFoundException", async () => {
    for (const n of ["page-a", "page-b", "page-c"]) await s.ecr.send(new CreateRepositoryCommand({ repositoryName: n }));
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await s.ecr.send(new DescribeRepositoriesCommand({ maxResults: 2, nextToken }));
      assert.ok((out.repositories ?? []).length <= 2);
      names.push(...(out.repositories ?? []).map((r) => r.repositoryName ?? ""));
      nextToken = out.nextToken;
      pages++;
    } while (nextToken !== undefined && pages < 20);
    assert.deepEqual(
      names.filter((n) => n.startsWith("page-")),
      ["page-a", "page-b", "page-c"],
    );
    assert.equal(new Set(names).size, names.length, "no repository twice");
    await assert.rejects(s.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["page-a", "nope"] })), {
      name: "RepositoryNotFoundException",
      message: `The repository with name 'nope' does not exist in the registry with id '${account}'`,
    });
  });

  it("GetAuthorizationToken gives base64('AWS:' + a registry password) for 12 hours and the registry's endpoint", async () => {
    const out = await s.ecr.send(new GetAuthorizationTokenCommand({}));
    const data = out.authorizationData?.[0];
    assert.ok(data?.authorizationToken && data.expiresAt);
    const issued = s.registry.issued.at(-1);
    assert.ok(issued);
    assert.equal(Buffer.from(data.authorizationToken, "base64").toString(), `AWS:${issued.password}`);
    assert.equal(issued.principal.accessKeyId, s.server.running.rootKey.accessKeyId);
    assert.equal(issued.principal.accountId, account);
    assert.equal(data.expiresAt.getTime(), issued.expiresAt.getTime());
    assert.equal(data.proxyEndpoint, "http://127.0.0.1:8601");
  });

  it("the audit trail records GetAuthorizationToken (eventSource ecr.amazonaws.com) without the token or the password", async () => {
    const out = await s.ecr.send(new GetAuthorizationTokenCommand({}));
    const token = out.authorizationData?.[0]?.authorizationToken ?? "";
    const password = s.registry.issued.at(-1)?.password ?? "";
    assert.ok(token && password);
    const { endpoint, config, rootKey, dataDir } = s.server.running;
    const trail = new CloudTrailClient({ endpoint, region: config.region, credentials: rootKey, maxAttempts: 1 });
    try {
      // A lookup flushes what was recorded so far to trail.db.
      const found = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "GetAuthorizationToken" }] }));
      const event = JSON.parse(found.Events?.[0]?.CloudTrailEvent ?? "{}") as { eventSource?: string; responseElements?: unknown };
      assert.equal(event.eventSource, "ecr.amazonaws.com");
      // A read: CloudTrail leaves its answer out (and the model marks the token sensitive besides).
      assert.equal(event.responseElements, null);
    } finally {
      trail.destroy();
    }
    const bytes = ["trail.db", "trail.db-wal"].map((f) => (existsSync(join(dataDir, f)) ? readFileSync(join(dataDir, f)).toString("latin1") : "")).join("");
    assert.ok(bytes.includes("GetAuthorizationToken"), "the event is in the file");
    assert.ok(!bytes.includes(token), "the token is in trail.db");
    assert.ok(!bytes.includes(password), "the password is in trail.db");
  });

  it("ListImages and DescribeImages: filters, paging and the image's fields, all from the registry", async () => {
    await s.ecr.send(new CreateRepositoryCommand({ repositoryName: "imgs" }));
    const now = Date.now();
    const v1 = s.registry.push("imgs", { tag: "v1", pushedAt: new Date(now - 3000), sizeBytes: 4000 });
    s.registry.push("imgs", { tag: "latest", pushedAt: new Date(now - 3000), content: "unused" });
    s.registry.push("imgs", { tag: "latest", pushedAt: new Date(now - 2000), content: "v2" });
    // The first "latest" lost its tag to the second: one untagged image.
    const all = await s.ecr.send(new ListImagesCommand({ repositoryName: "imgs" }));
    assert.equal(all.imageIds?.length, 3);
    const untagged = await s.ecr.send(new ListImagesCommand({ repositoryName: "imgs", filter: { tagStatus: "UNTAGGED" } }));
    assert.deepEqual(
      untagged.imageIds?.map((i) => i.imageTag),
      [undefined],
    );
    const tagged = await s.ecr.send(new ListImagesCommand({ repositoryName: "imgs", filter: { tagStatus: "TAGGED" } }));
    assert.deepEqual(tagged.imageIds?.map((i) => i.imageTag).sort(), ["latest", "v1"]);
    const first = await s.ecr.send(new ListImagesCommand({ repositoryName: "imgs", maxResults: 2 }));
    assert.equal(first.imageIds?.length, 2);
    const second = await s.ecr.send(new ListImagesCommand({ repositoryName: "imgs", maxResults: 2, nextToken: first.nextToken }));
    assert.equal(second.imageIds?.length, 1);
    assert.equal(second.nextToken, undefined);

    const described = await s.ecr.send(new DescribeImagesCommand({ repositoryName: "imgs", imageIds: [{ imageTag: "v1" }] }));
    const d = described.imageDetails?.[0];
    assert.ok(d);
    assert.equal(d.imageDigest, v1);
    assert.deepEqual(d.imageTags, ["v1"]);
    assert.equal(d.registryId, account);
    assert.equal(d.repositoryName, "imgs");
    assert.equal(d.imageSizeInBytes, 4000);
    assert.equal(d.imagePushedAt?.getTime(), now - 3000);
    assert.equal(d.imageManifestMediaType, "application/vnd.oci.image.manifest.v1+json");
    assert.equal(d.artifactMediaType, "application/vnd.oci.image.config.v1+json");
    await assert.rejects(s.ecr.send(new DescribeImagesCommand({ repositoryName: "imgs", imageIds: [{ imageTag: "v9" }] })), {
      name: "ImageNotFoundException",
      message: `The image with imageId {imageTag:'v9'} does not exist within the repository with name 'imgs' in the registry with id '${account}'`,
    });
    const pagedDetails = await s.ecr.send(new DescribeImagesCommand({ repositoryName: "imgs", maxResults: 2 }));
    assert.equal(pagedDetails.imageDetails?.length, 2);
    assert.ok(pagedDetails.nextToken);
  });

  it("BatchGetImage returns the manifest as stored; BatchDeleteImage removes a tag, the last tag's image, and lists failures", async () => {
    await s.ecr.send(new CreateRepositoryCommand({ repositoryName: "batch" }));
    const at = new Date();
    // The same manifest pushed under two tags is one image with both.
    const a = s.registry.push("batch", { tag: "a", pushedAt: at, content: "one" });
    assert.equal(s.registry.push("batch", { tag: "a2", pushedAt: at, content: "one" }), a);
    s.registry.push("batch", { tag: "b", pushedAt: at, content: "two" });
    const c = s.registry.push("batch", { tag: "c", pushedAt: at, content: "three" });
    const manifest = await s.registry.getManifest("batch", "a");
    assert.ok(manifest);

    const got = await s.ecr.send(new BatchGetImageCommand({ repositoryName: "batch", imageIds: [{ imageTag: "a" }, { imageTag: "zzz" }] }));
    assert.equal(got.images?.[0]?.imageId?.imageDigest, a);
    assert.equal(got.images?.[0]?.imageManifest, manifest.body.toString());
    assert.equal(got.images?.[0]?.imageManifestMediaType, manifest.mediaType);
    assert.deepEqual(got.failures, [{ imageId: { imageTag: "zzz" }, failureCode: "ImageNotFound", failureReason: "Requested image not found" }]);

    const deleted = await s.ecr.send(
      new BatchDeleteImageCommand({
        repositoryName: "batch",
        imageIds: [{ imageDigest: a, imageTag: "c" }, { imageTag: "a" }, { imageTag: "b" }, { imageDigest: c }, { imageTag: "nope" }, {}],
      }),
    );
    assert.deepEqual(deleted.imageIds?.map((i) => i.imageTag), ["a", "b", "c"]);
    assert.deepEqual(
      deleted.failures?.map((f) => f.failureCode),
      ["ImageTagDoesNotMatchDigest", "ImageNotFound", "MissingDigestAndTag"],
    );
    const left = await s.ecr.send(new ListImagesCommand({ repositoryName: "batch" }));
    assert.deepEqual(left.imageIds, [{ imageDigest: a, imageTag: "a2" }]);
  });

  it("DeleteRepository refuses a repository with images unless forced", async () => {
    await s.ecr.send(new CreateRepositoryCommand({ repositoryName: "full" }));
    s.registry.push("full", { tag: "x", pushedAt: new Date() });
    await assert.rejects(s.ecr.send(new DeleteRepositoryCommand({ repositoryName: "full" })), {
      name: "RepositoryNotEmptyException",
      message: `The repository with name 'full' in registry with id '${account}' cannot be deleted because it still contains images`,
    });
    const out = await s.ecr.send(new DeleteRepositoryCommand({ repositoryName: "full", force: true }));
    assert.equal(out.repository?.repositoryName, "full");
    assert.deepEqual(await s.registry.listImages("full"), []);
    assert.equal(s.module().repositories.find("full"), undefined);
    await assert.rejects(s.ecr.send(new DeleteRepositoryCommand({ repositoryName: "full" })), { name: "RepositoryNotFoundException" });
  });

  it("PutImageTagMutability changes what the registry is told", async () => {
    await s.ecr.send(new CreateRepositoryCommand({ repositoryName: "mut" }));
    assert.equal(s.module().repositories.find("mut")?.tagMutability, "MUTABLE");
    const out = await s.ecr.send(new PutImageTagMutabilityCommand({ repositoryName: "mut", imageTagMutability: "IMMUTABLE" }));
    assert.deepEqual({ ...out, $metadata: undefined }, { $metadata: undefined, registryId: account, repositoryName: "mut", imageTagMutability: "IMMUTABLE" });
    assert.equal(s.module().repositories.find("mut")?.tagMutability, "IMMUTABLE");
  });

  it("a lifecycle policy is validated, kept, applied by the sweep (untagged images expire) and deleted", async () => {
    await s.ecr.send(new CreateRepositoryCommand({ repositoryName: "life" }));
    await assert.rejects(
      s.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: "life", lifecyclePolicyText: EXPIRE_UNTAGGED.replace('"expire"', '"archive"') })),
      {
        name: "InvalidParameterException",
        message: `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: instance value ("archive") not found in enum (possible values: ["expire"])'`,
      },
    );
    await assert.rejects(s.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: "life" })), {
      name: "LifecyclePolicyNotFoundException",
      message: `Lifecycle policy does not exist for the repository with name 'life' in the registry with id '${account}'`,
    });
    const now = Date.now();
    const old = s.registry.push("life", { pushedAt: new Date(now - 3 * DAY), content: "old untagged" });
    const kept = s.registry.push("life", { tag: "v1", pushedAt: new Date(now - 5 * DAY) });
    await s.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: "life", lifecyclePolicyText: EXPIRE_UNTAGGED }));
    // Putting a policy starts a sweep soon (the periodic one is off here): nothing else runs it.
    const left = await eventually(async () => {
      const images = await s.registry.listImages("life");
      return images.length === 1 ? images : undefined;
    });
    assert.deepEqual(
      left.map((i) => i.digest),
      [kept],
    );
    assert.ok(!left.some((i) => i.digest === old));
    const got = await eventually(async () => {
      const out = await s.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: "life" }));
      return out.lastEvaluatedAt ? out : undefined;
    });
    assert.equal(got.lifecyclePolicyText, EXPIRE_UNTAGGED);
    const deleted = await s.ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: "life" }));
    assert.equal(deleted.lifecyclePolicyText, EXPIRE_UNTAGGED);
    await assert.rejects(s.ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: "life" })), { name: "LifecyclePolicyNotFoundException" });
  });

  it("a lifecycle policy preview says what a policy would expire, by which rule, and expires nothing", async () => {
    await s.ecr.send(new CreateRepositoryCommand({ repositoryName: "preview" }));
    await assert.rejects(s.ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: "preview" })), { name: "LifecyclePolicyPreviewNotFoundException" });
    await assert.rejects(s.ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: "preview" })), { name: "LifecyclePolicyNotFoundException" });
    const now = Date.now();
    const old = s.registry.push("preview", { pushedAt: new Date(now - 3 * DAY), content: "old" });
    s.registry.push("preview", { pushedAt: new Date(now - DAY / 2), content: "young" });
    s.registry.push("preview", { tag: "v1", pushedAt: new Date(now - 9 * DAY) });
    const started = await s.ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: "preview", lifecyclePolicyText: EXPIRE_UNTAGGED }));
    assert.equal(started.status, "IN_PROGRESS");
    const preview = await s.ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: "preview" }));
    assert.equal(preview.status, "COMPLETE");
    assert.equal(preview.lifecyclePolicyText, EXPIRE_UNTAGGED);
    assert.deepEqual(
      preview.previewResults?.map((r) => [r.imageDigest, r.action?.type, r.appliedRulePriority, r.imagePushedAt?.getTime()]),
      [[old, "EXPIRE", 1, now - 3 * DAY]],
    );
    assert.equal(preview.summary?.expiringImageTotalCount, 1);
    assert.equal((await s.registry.listImages("preview")).length, 3, "a preview deletes nothing");
    const tagged = await s.ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: "preview", filter: { tagStatus: "TAGGED" } }));
    assert.deepEqual(tagged.previewResults, []);
  });

  it("a registry that fails answers ECR's ServerException (500), and the server logs the cause", async () => {
    await s.ecr.send(new CreateRepositoryCommand({ repositoryName: "down" }));
    s.registry.failing = new Error("registry unreachable: connect ECONNREFUSED 127.0.0.1:8601");
    try {
      await assert.rejects(s.ecr.send(new ListImagesCommand({ repositoryName: "down" })), (err: { name?: string; $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(err.name, "ServerException");
        assert.equal(err.$metadata?.httpStatusCode, 500);
        return true;
      });
      assert.ok(s.logs().some((l) => l.message === "internal error while handling a request" && String(l.fields?.error).includes("ECONNREFUSED")), "the cause is logged");
    } finally {
      s.registry.failing = undefined;
    }
  });

  it("TagResource, UntagResource and ListTagsForResource on a repository ARN; their limits in ECR's exceptions", async () => {
    const arn = (await s.ecr.send(new CreateRepositoryCommand({ repositoryName: "tagged" }))).repository?.repositoryArn;
    assert.ok(arn);
    await s.ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }] }));
    await s.ecr.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["a"] }));
    assert.deepEqual((await s.ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, [{ Key: "b", Value: "2" }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await assert.rejects(s.ecr.send(new TagResourceCommand({ resourceArn: arn, tags: many })), { name: "TooManyTagsException" });
    await assert.rejects(s.ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: "aws:x", Value: "1" }] })), { name: "InvalidTagParameterException" });
    await assert.rejects(s.ecr.send(new ListTagsForResourceCommand({ resourceArn: arn.replace("tagged", "missing") })), {
      name: "RepositoryNotFoundException",
      message: `The repository with name 'missing' does not exist in the registry with id '${account}'`,
    });
    await assert.rejects(s.ecr.send(new ListTagsForResourceCommand({ resourceArn: "arn:aws:s3:::bucket" })), { name: "InvalidParameterException" });
  });
});
