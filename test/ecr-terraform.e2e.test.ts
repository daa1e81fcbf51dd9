import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startEcrServer, type EcrServer } from "./support/ecr-server.js";
import { awsProviderBlocks, findTerraform, initWorkspace, type TerraformWorkspace } from "./support/terraform.js";

/*
 * Terraform's aws_ecr_repository and aws_ecr_lifecycle_policy, as App Runner users declare the
 * repository their service's image lives in: apply, a plan with nothing to change (every
 * attribute the provider reads back agrees), an update of tag mutability and tags, destroy
 * with force_delete.
 */

const setup = findTerraform();

function configuration(providerVersion: string, mutability: string, stage: string): string {
  return `${awsProviderBlocks(providerVersion)}
resource "aws_ecr_repository" "app" {
  name                 = "tf/app"
  image_tag_mutability = "${mutability}"
  force_delete         = true
  image_scanning_configuration {
    scan_on_push = true
  }
  tags = { stage = "${stage}" }
}

resource "aws_ecr_lifecycle_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "expire untagged images after a day"
      selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 1 }
      action       = { type = "expire" }
    }]
  })
}
`;
}

describe("Terraform's aws_ecr_repository and aws_ecr_lifecycle_policy against OpenRunner", { skip: typeof setup === "string" ? setup : false }, () => {
  let s: EcrServer;
  let tf: TerraformWorkspace;
  const write = (mutability: string, stage: string): void => {
    if (typeof setup === "string") return;
    tf.writeConfig(configuration(setup.providerVersion, mutability, stage));
  };

  before(async () => {
    if (typeof setup === "string") return;
    s = await startEcrServer();
    tf = await initWorkspace(setup, "openrunner-tf-ecr-", s.server.running.rootKey, configuration(setup.providerVersion, "MUTABLE", "one"), {
      url: s.server.running.endpoint,
      services: ["ecr"],
    });
  });
  after(async () => {
    try {
      await tf?.discard();
    } finally {
      await s?.close();
    }
  });

  it("applies, then plans nothing to change", async () => {
    write("MUTABLE", "one");
    await tf.apply();
    const repo = tf.state().get("aws_ecr_repository.app")?.values;
    assert.ok(repo);
    assert.equal(repo.repository_url, "127.0.0.1:8601/tf/app");
    assert.equal(repo.registry_id, s.server.running.config.accountId);
    assert.equal(repo.arn, `arn:aws:ecr:us-east-1:${s.server.running.config.accountId}:repository/tf/app`);
    assert.equal(s.module().repositories.find("tf/app")?.tagMutability, "MUTABLE");
    const plan = await tf.plan();
    assert.equal(plan.changes, false, plan.output);
  });

  it("updates tag mutability and tags in place", async () => {
    write("IMMUTABLE", "two");
    const out = await tf.apply();
    assert.match(out, /1 changed/);
    assert.equal(s.module().repositories.find("tf/app")?.tagMutability, "IMMUTABLE");
  });

  it("destroys the repository with its images (force_delete)", async () => {
    s.registry.push("tf/app", { tag: "v1", pushedAt: new Date() });
    await tf.ok(["destroy", "-no-color", "-auto-approve", "-input=false"]);
    assert.equal(s.module().repositories.find("tf/app"), undefined);
    assert.deepEqual(await s.registry.listImages("tf/app"), []);
  });
});
