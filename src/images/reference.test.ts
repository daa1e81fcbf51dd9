import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { formatImageReference, parseImageReference, repositoryComponent } from "./reference.js";

const D = `sha256:${"ab".repeat(32)}`;

describe("parseImageReference", () => {
  const valid: Array<[string, { registry: string; repository: string; tag?: string; digest?: string }]> = [
    ["127.0.0.1:5000/hello:latest", { registry: "127.0.0.1:5000", repository: "hello", tag: "latest" }],
    ["127.0.0.1:5000/hello", { registry: "127.0.0.1:5000", repository: "hello", tag: "latest" }],
    [`registry.example.com/team/app@${D}`, { registry: "registry.example.com", repository: "team/app", digest: D }],
    [`reg.example.com/app:v1.2@${D}`, { registry: "reg.example.com", repository: "app", tag: "v1.2", digest: D }],
    [`app:tag@${D}`, { registry: "docker.io", repository: "library/app", tag: "tag", digest: D }],
    ["nginx", { registry: "docker.io", repository: "library/nginx", tag: "latest" }],
    ["nginx:1.25-alpine", { registry: "docker.io", repository: "library/nginx", tag: "1.25-alpine" }],
    ["bitnami/redis", { registry: "docker.io", repository: "bitnami/redis", tag: "latest" }],
    ["docker.io/nginx", { registry: "docker.io", repository: "library/nginx", tag: "latest" }],
    ["index.docker.io/library/nginx:1", { registry: "docker.io", repository: "library/nginx", tag: "1" }],
    ["localhost/app", { registry: "localhost", repository: "app", tag: "latest" }],
    ["localhost:5000/a/b/c:x", { registry: "localhost:5000", repository: "a/b/c", tag: "x" }],
    ["[::1]:5000/app:v", { registry: "[::1]:5000", repository: "app", tag: "v" }],
    [
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:prod",
      { registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com", repository: "my-app", tag: "prod" },
    ],
    ["public.ecr.aws/nginx/nginx:latest", { registry: "public.ecr.aws", repository: "nginx/nginx", tag: "latest" }],
    ["ghcr.io/org/my_app__x.y-z:TAG_1", { registry: "ghcr.io", repository: "org/my_app__x.y-z", tag: "TAG_1" }],
  ];
  for (const [input, expected] of valid) {
    it(`parses ${input}`, () => {
      assert.deepEqual(parseImageReference(input), { ...expected, original: input });
    });
  }

  const invalid: Array<[string, RegExp]> = [
    ["", /empty/],
    [" nginx", /whitespace/],
    ["nginx latest", /whitespace/],
    ["Nginx", /not a valid repository path component/],
    ["127.0.0.1:5000/", /empty path component/],
    ["127.0.0.1:5000//app", /empty path component/],
    ["app:", /not a valid tag/],
    ["app:-x", /not a valid tag/],
    [`app:${"x".repeat(129)}`, /not a valid tag/],
    ["app@sha256:abc", /not a digest/],
    [`app@sha512:${"a".repeat(128)}`, /not a digest/],
    [`app@sha256:${"A".repeat(64)}`, /not a digest/],
    [":tag", /repository name is missing/],
    ["127.0.0.1:99999/app", /port 99999 is out of range/],
    ["bad_host.com:5000/app", /not a valid registry host/],
    ["app/-x", /not a valid repository path component/],
  ];
  for (const [input, message] of invalid) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(
        () => parseImageReference(input),
        (err: unknown) => err instanceof AppRunnerError && err.code === "InvalidRequest" && message.test(err.message),
      );
    });
  }

  it("formats references back", () => {
    assert.equal(formatImageReference(parseImageReference("nginx")), "docker.io/library/nginx:latest");
    assert.equal(formatImageReference(parseImageReference(`h:1/a@${D}`)), `h:1/a@${D}`);
  });
});

describe("repositoryComponent", () => {
  it("makes any App Runner service name a repository path component that parses", () => {
    const table: [string, string][] = [
      ["web", "web"],
      ["Kept_Python", "kept-python"],
      ["api--v2__x-_y", "api-v2-x-y"],
      ["svc_", "svc"],
      ["A1-B2", "a1-b2"],
    ];
    for (const [name, expected] of table) {
      assert.equal(repositoryComponent(name), expected, name);
      assert.equal(parseImageReference(`openrunner.local/${expected}@${D}`).repository, expected);
    }
  });
});
