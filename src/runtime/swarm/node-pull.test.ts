import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { emptyRegistryConfig, type RegistryConfig } from "../../images/registry-config.js";
import { nodePullOf, type NodeRegistry } from "./node-pull.js";

const DIGEST = `sha256:${"a".repeat(64)}`;
const builtIn: NodeRegistry = {
  address: "10.0.0.5:8601",
  isBuiltIn: (host) => host === "10.0.0.5:8601" || host === "123456789012.dkr.ecr.us-east-1.amazonaws.com",
  password: () => "pw",
};
const config: RegistryConfig = {
  ...emptyRegistryConfig(),
  registries: { "registry.example.com": { username: "u", password: "p" } },
  mirrors: { "docker.io": "mirror.example.com:5000" },
};

describe("nodePullOf", () => {
  const table: [string, string, ReturnType<typeof nodePullOf>][] = [
    [
      "an ECR name of the built-in registry: its address nodes reach, ECR's AWS user",
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:latest",
      { reference: `10.0.0.5:8601/hello@${DIGEST}`, auth: { username: "AWS", password: "pw", serveraddress: "10.0.0.5:8601" } },
    ],
    [
      "a kept build in the built-in registry, by digest",
      `10.0.0.5:8601/apprunner/web/abc@${DIGEST}`,
      { reference: `10.0.0.5:8601/apprunner/web/abc@${DIGEST}`, auth: { username: "AWS", password: "pw", serveraddress: "10.0.0.5:8601" } },
    ],
    ["a registry with credentials in registries.json", "registry.example.com/team/app:v1", { reference: `registry.example.com/team/app@${DIGEST}`, auth: { username: "u", password: "p", serveraddress: "registry.example.com" } }],
    ["a mirrored registry: nodes pull from the mirror", "nginx:1.27", { reference: `mirror.example.com:5000/library/nginx@${DIGEST}` }],
    ["a public registry without credentials", "127.0.0.1:5000/conformance/hello:v1", { reference: `127.0.0.1:5000/conformance/hello@${DIGEST}` }],
  ];
  for (const [name, identifier, want] of table) it(name, () => assert.deepEqual(nodePullOf({ identifier, digest: DIGEST }, { builtIn, config }), want));

  it("an image that stayed on the control-plane host cannot run on the swarm", () => {
    assert.throws(
      () => nodePullOf({ identifier: `openrunner.local/web@${DIGEST}`, digest: DIGEST }, { builtIn, config }),
      (err: unknown) => err instanceof AppRunnerError && err.code === "InstanceFailed" && /could not be kept in the built-in registry/.test(err.message),
    );
  });

  it("an unmapped ECR registry of another account is refused with where to map it", () => {
    assert.throws(
      () => nodePullOf({ identifier: "999999999999.dkr.ecr.eu-west-1.amazonaws.com/app:v1", digest: DIGEST }, { builtIn, config }),
      (err: unknown) => err instanceof AppRunnerError && err.code === "ImagePullFailed" && /registries.json/.test(err.message),
    );
  });
});
