import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { serviceBuildRepository as serverBuildRepository } from "../src/ecr/build-repositories.js";
import { repositoryNameProblem } from "../src/ecr/names.js";
import { arnScope, formatSize, isOwnEcrHost, parseImageReference, serviceBuildRepository, shortDigest } from "../console/src/api/image-source.js";
import { summarizeLifecyclePolicy } from "../console/src/api/lifecycle-rules.js";
import { pushCommands } from "../console/src/api/push-commands.js";

/** The console's pure decisions about images and repositories (no browser: console/src/api/ has no DOM in these files). */
describe("console: image references, sizes and lifecycle rules", () => {
  it("splits image identifiers as registries read them", () => {
    const table: [string, ReturnType<typeof parseImageReference>][] = [
      ["127.0.0.1:8601/hello:latest", { host: "127.0.0.1:8601", repositoryName: "hello", tag: "latest", digest: undefined }],
      ["123456789012.dkr.ecr.us-east-1.amazonaws.com/apprunner/app:v1", { host: "123456789012.dkr.ecr.us-east-1.amazonaws.com", repositoryName: "apprunner/app", tag: "v1", digest: undefined }],
      ["127.0.0.1:8601/hello", { host: "127.0.0.1:8601", repositoryName: "hello", tag: undefined, digest: undefined }],
      ["127.0.0.1:8601/hello@sha256:abc", { host: "127.0.0.1:8601", repositoryName: "hello", tag: undefined, digest: "sha256:abc" }],
      ["localhost/web:2", { host: "localhost", repositoryName: "web", tag: "2", digest: undefined }],
      ["nginx:1.25", { host: undefined, repositoryName: "nginx", tag: "1.25", digest: undefined }],
      ["library/nginx", { host: undefined, repositoryName: "library/nginx", tag: undefined, digest: undefined }],
      ["public.ecr.aws/nginx/nginx:latest", { host: "public.ecr.aws", repositoryName: "nginx/nginx", tag: "latest", digest: undefined }],
    ];
    for (const [identifier, expected] of table) assert.deepEqual(parseImageReference(identifier), expected, identifier);
  });

  it("knows this account's and region's ECR host, and no other", () => {
    const scope = arnScope("arn:aws:apprunner:eu-west-1:123456789012:service/web/0123");
    assert.deepEqual(scope, { region: "eu-west-1", accountId: "123456789012" });
    assert.equal(isOwnEcrHost("123456789012.dkr.ecr.eu-west-1.amazonaws.com", scope), true);
    assert.equal(isOwnEcrHost("123456789012.dkr.ecr.us-east-1.amazonaws.com", scope), false);
    assert.equal(isOwnEcrHost("999999999999.dkr.ecr.eu-west-1.amazonaws.com", scope), false);
    assert.equal(isOwnEcrHost(undefined, scope), false);
    assert.equal(arnScope("not-an-arn"), undefined);
  });

  it("names a source-code service's build repository as the server does: a valid ECR name, unique per service", () => {
    const id = "0123456789abcdef0123456789abcdef";
    const table: [string, string][] = [
      ["web", `apprunner/web/${id}`],
      ["My_Service", `apprunner/my-service/${id}`],
      ["api--v2__x-_y", `apprunner/api-v2-x-y/${id}`],
      ["svc_", `apprunner/svc/${id}`],
      ["A1-B2", `apprunner/a1-b2/${id}`],
    ];
    for (const [name, expected] of table) {
      assert.equal(serviceBuildRepository({ ServiceName: name, ServiceId: id }), expected, name);
      assert.equal(serverBuildRepository(name, id), expected, name);
      assert.equal(repositoryNameProblem(expected), undefined, expected);
    }
    assert.equal(serviceBuildRepository({ ServiceName: "web" }), undefined);
  });

  it("sizes in binary units and shortens digests", () => {
    const sizes: [number | undefined, string][] = [
      [undefined, "—"],
      [0, "0 B"],
      [1023, "1023 B"],
      [1536, "1.50 KB"],
      [40 * 1024 * 1024, "40.0 MB"],
      [5 * 1024 ** 3, "5.00 GB"],
      [-1, "—"],
    ];
    for (const [bytes, shown] of sizes) assert.equal(formatSize(bytes), shown, String(bytes));
    assert.equal(shortDigest(`sha256:${"ab".repeat(32)}`), "sha256:abababababab");
  });

  it("reads a lifecycle policy's rules in priority order, and refuses what is not one", () => {
    const text = JSON.stringify({
      rules: [
        { rulePriority: 3, selection: { tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }, action: { type: "expire" } },
        { rulePriority: 1, description: "d", selection: { tagStatus: "tagged", tagPatternList: ["prod*"], countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
      ],
    });
    assert.deepEqual(summarizeLifecyclePolicy(text), [
      { priority: 1, description: "d", appliesTo: "Images tagged matching prod*", when: "More than 1 image: the oldest go first", action: "Expire" },
      { priority: 3, description: "", appliesTo: "Any image", when: "1 day after push", action: "Expire" },
    ]);
    assert.equal(summarizeLifecyclePolicy("not json"), undefined);
    assert.equal(summarizeLifecyclePolicy("{}"), undefined);
  });

  it("writes push commands for the repository URI's registry, with TLS checks off only for the tools that need telling", () => {
    const target = { repositoryUri: "127.0.0.1:8601/apprunner/web", repositoryName: "apprunner/web", endpoint: "http://127.0.0.1:8600", region: "us-east-1" };
    const docker = pushCommands("Docker", target).map((s) => s.command);
    assert.equal(docker[0], "aws --profile openrunner --endpoint-url http://127.0.0.1:8600 ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin 127.0.0.1:8601");
    assert.deepEqual(docker.slice(1), ["docker build -t web .", "docker tag web:latest 127.0.0.1:8601/apprunner/web:latest", "docker push 127.0.0.1:8601/apprunner/web:latest"]);
    for (const tool of ["Podman", "Skopeo"] as const) {
      for (const step of pushCommands(tool, target).filter((s) => / (login|push|copy) /.test(s.command))) assert.match(step.command, /--(dest-)?tls-verify=false/, step.command);
    }
  });
});
