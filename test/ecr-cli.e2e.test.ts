import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { AWS_CLI, AWS_CLI_V1, awsCliEnv, runAwsCli, type CliResult } from "./support/aws-cli.js";
import { startEcrServer, type EcrServer } from "./support/ecr-server.js";

const POLICY = JSON.stringify({
  rules: [{ rulePriority: 1, description: "keep ten", selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 }, action: { type: "expire" } }],
});

/** The same session of `aws ecr` commands, as a user types them, with each CLI. */
for (const [cli, binary] of [
  ["AWS CLI v1", AWS_CLI_V1],
  ["AWS CLI v2", AWS_CLI],
] as const) {
  describe(`\`aws ecr\` (${cli}) against OpenRunner`, { skip: existsSync(binary) ? false : `${binary} is not installed` }, () => {
    let s: EcrServer;
    before(async () => {
      s = await startEcrServer();
    });
    after(async () => s.close());

    /** `aws ecr <args>` with the server's own credential and config files; the exit code is data. */
    const run = (...args: string[]): Promise<CliResult> =>
      runAwsCli(["ecr", ...args, "--profile", "openrunner", "--endpoint-url", s.server.running.endpoint], awsCliEnv(s.server.running.files), 60_000, binary);
    async function ecr(...args: string[]): Promise<string> {
      const r = await run(...args);
      assert.equal(r.code, 0, `aws ecr ${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    }
    const ecrJson = async (...args: string[]): Promise<Record<string, unknown>> => JSON.parse(await ecr(...args, "--output", "json")) as Record<string, unknown>;

    it("create-repository, describe-repositories and list-tags-for-resource", async () => {
      const created = (await ecrJson("create-repository", "--repository-name", "cli/app", "--tags", "Key=team,Value=web")).repository as Record<string, unknown>;
      assert.equal(created.repositoryUri, "127.0.0.1:8601/cli/app");
      assert.equal(created.imageTagMutability, "MUTABLE");
      const described = (await ecrJson("describe-repositories", "--repository-names", "cli/app")).repositories as Record<string, unknown>[];
      assert.deepEqual(
        described.map((r) => r.repositoryArn),
        [created.repositoryArn],
      );
      const tags = (await ecrJson("list-tags-for-resource", "--resource-arn", String(created.repositoryArn))).tags;
      assert.deepEqual(tags, [{ Key: "team", Value: "web" }]);
    });

    it("get-login-password prints the password part of the authorization token", async () => {
      const printed = (await ecr("get-login-password")).trim();
      const issued = s.registry.issued.at(-1);
      assert.ok(issued);
      assert.equal(printed, issued.password);
    });

    it("put-image-tag-mutability", async () => {
      const out = await ecrJson("put-image-tag-mutability", "--repository-name", "cli/app", "--image-tag-mutability", "IMMUTABLE");
      assert.equal(out.imageTagMutability, "IMMUTABLE");
      assert.equal(s.module().repositories.find("cli/app")?.tagMutability, "IMMUTABLE");
    });

    it("put-lifecycle-policy and get-lifecycle-policy", async () => {
      const put = await ecrJson("put-lifecycle-policy", "--repository-name", "cli/app", "--lifecycle-policy-text", POLICY);
      assert.equal(put.lifecyclePolicyText, POLICY);
      const got = await ecrJson("get-lifecycle-policy", "--repository-name", "cli/app");
      assert.equal(got.lifecyclePolicyText, POLICY);
    });

    it("an error is printed with ECR's exception name and message", async () => {
      const r = await run("describe-repositories", "--repository-names", "missing");
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /RepositoryNotFoundException/);
      assert.ok(r.stderr.includes(`The repository with name 'missing' does not exist in the registry with id '${s.server.running.config.accountId}'`), r.stderr);
    });

    it("delete-repository --force removes a repository with images", async () => {
      s.registry.push("cli/app", { tag: "v1", pushedAt: new Date() });
      const refused = await run("delete-repository", "--repository-name", "cli/app");
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /RepositoryNotEmptyException/);
      const out = await ecrJson("delete-repository", "--repository-name", "cli/app", "--force");
      assert.equal((out.repository as Record<string, unknown>).repositoryName, "cli/app");
      assert.deepEqual(await s.registry.listImages("cli/app"), []);
    });
  });
}
