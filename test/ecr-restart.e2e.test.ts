import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CreateRepositoryCommand, DescribeRepositoriesCommand, GetLifecyclePolicyCommand, ListTagsForResourceCommand, PutLifecyclePolicyCommand } from "@aws-sdk/client-ecr";
import { startEcrServer, type EcrServer } from "./support/ecr-server.js";
import { FakeRegistry } from "./support/fake-registry.js";
import { tempDataDir } from "./support/harness.js";

const POLICY = JSON.stringify({
  rules: [{ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } }],
});

describe("ECR repositories across a restart of the control plane", () => {
  it("keep their settings, tags and lifecycle policy (they are in the store)", async () => {
    const data = tempDataDir();
    const registry = new FakeRegistry();
    let s: EcrServer | undefined;
    try {
      s = await startEcrServer({ dataDir: data.dir, registry });
      const created = await s.ecr.send(
        new CreateRepositoryCommand({ repositoryName: "kept/app", imageTagMutability: "IMMUTABLE", tags: [{ Key: "team", Value: "web" }] }),
      );
      await s.ecr.send(new PutLifecyclePolicyCommand({ repositoryName: "kept/app", lifecyclePolicyText: POLICY }));
      await s.close();
      s = undefined;

      s = await startEcrServer({ dataDir: data.dir, registry });
      const described = await s.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["kept/app"] }));
      assert.deepEqual(described.repositories, [created.repository]);
      assert.equal(s.module().repositories.find("kept/app")?.tagMutability, "IMMUTABLE");
      const arn = created.repository?.repositoryArn ?? "";
      assert.deepEqual((await s.ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, [{ Key: "team", Value: "web" }]);
      assert.equal((await s.ecr.send(new GetLifecyclePolicyCommand({ repositoryName: "kept/app" }))).lifecyclePolicyText, POLICY);
    } finally {
      await s?.close();
      data.remove();
    }
  });
});
