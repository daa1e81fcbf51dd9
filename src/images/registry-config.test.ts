import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { parseImageReference } from "./reference.js";
import {
  emptyRegistryConfig,
  isLoopbackHost,
  loadRegistryConfig,
  parseRegistryConfig,
  resolveEndpoint,
} from "./registry-config.js";

const EXAMPLE = {
  registries: {
    "127.0.0.1:5000": { insecure: true },
    "reg.example.com": { username: "u", password: "p4ssw0rd-secret" },
    "ghcr.io": { token: "tok-secret" },
    "localhost:6000": { insecure: false },
  },
  mirrors: { "123456789012.dkr.ecr.us-east-1.amazonaws.com": "127.0.0.1:5000" },
};

describe("registry configuration", () => {
  it("parses the documented example", () => {
    const config = parseRegistryConfig(JSON.stringify(EXAMPLE));
    assert.deepEqual(config, EXAMPLE);
  });

  const bad: Array<[unknown, RegExp]> = [
    [[], /top level must be a JSON object/],
    [{ registry: {} }, /unknown key "registry"/],
    [{ registries: [] }, /"registries" must be an object/],
    [{ registries: { "not a host": {} } }, /"registries"."not a host" is not a registry host/],
    [{ registries: { "h.io": { insecure: "yes" } } }, /"registries"."h.io"."insecure" must be a boolean/],
    [{ registries: { "h.io": { user: "u" } } }, /unknown key "registries"."h.io"."user"/],
    [{ registries: { "h.io": { username: "u" } } }, /"registries"."h.io" needs both "username" and "password"/],
    [{ registries: { "h.io": { username: "u", password: "p", token: "t" } } }, /either "token" or "username"/],
    [{ registries: { "h.io": { password: "" } } }, /"password" must not be empty/],
    [{ mirrors: { "a.io": 5 } }, /"mirrors"."a.io" must be a registry host/],
    [{ mirrors: { "a.io": "http://b.io" } }, /"mirrors"."a.io" must be a registry host/],
  ];
  for (const [value, message] of bad) {
    it(`rejects ${JSON.stringify(value)}`, () => {
      assert.throws(
        () => parseRegistryConfig(JSON.stringify(value), "/data/registries.json"),
        (err: unknown) =>
          err instanceof AppRunnerError &&
          err.code === "InvalidRequest" &&
          err.message.startsWith("Invalid registry configuration /data/registries.json: ") &&
          message.test(err.message),
      );
    });
  }

  it("never echoes a credential from a malformed file", () => {
    assert.throws(
      () => parseRegistryConfig('{"registries": {"h.io": {"username": "u", "password": "hunter2-secret"}'),
      (err: unknown) => err instanceof AppRunnerError && /not valid JSON/.test(err.message) && !err.message.includes("hunter2"),
    );
  });

  describe("loading", () => {
    let dir = "";
    after(() => rm(dir, { recursive: true, force: true }));
    it("treats a missing file as empty and reads a present one", async () => {
      dir = await mkdtemp(join(tmpdir(), "openrunner-regcfg-"));
      assert.deepEqual(await loadRegistryConfig(dir), emptyRegistryConfig());
      await writeFile(join(dir, "registries.json"), JSON.stringify(EXAMPLE));
      assert.deepEqual(await loadRegistryConfig(dir), EXAMPLE);
      await writeFile(join(dir, "registries.json"), '{"mirrors": 1}');
      await assert.rejects(loadRegistryConfig(dir), /registries\.json: "mirrors" must be an object/);
    });
  });

  describe("endpoints", () => {
    const config = parseRegistryConfig(JSON.stringify(EXAMPLE));
    const endpoint = (id: string): ReturnType<typeof resolveEndpoint> => resolveEndpoint(config, parseImageReference(id));

    it("uses HTTP for loopback and insecure registries, HTTPS otherwise", () => {
      assert.equal(endpoint("127.0.0.1:5000/a").baseUrl, "http://127.0.0.1:5000");
      assert.equal(endpoint("127.9.8.7:80/a").baseUrl, "http://127.9.8.7:80");
      assert.equal(endpoint("localhost/a").baseUrl, "http://localhost");
      assert.equal(endpoint("[::1]:5000/a").baseUrl, "http://[::1]:5000");
      assert.equal(endpoint("localhost:6000/a").baseUrl, "https://localhost:6000");
      assert.equal(endpoint("reg.example.com/a").baseUrl, "https://reg.example.com");
      assert.equal(endpoint("nginx").baseUrl, "https://registry-1.docker.io");
      assert.equal(endpoint("nginx").registry, "docker.io");
    });

    it("attaches configured credentials", () => {
      assert.deepEqual(endpoint("reg.example.com/a").credentials, { kind: "basic", username: "u", password: "p4ssw0rd-secret" });
      assert.deepEqual(endpoint("ghcr.io/o/a").credentials, { kind: "token", token: "tok-secret" });
      assert.equal(endpoint("127.0.0.1:5000/a").credentials, undefined);
    });

    it("routes an ECR host through its mirror and explains a missing mapping", () => {
      const mirrored = endpoint("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1");
      assert.equal(mirrored.baseUrl, "http://127.0.0.1:5000");
      assert.equal(mirrored.mirroredFrom, "123456789012.dkr.ecr.us-east-1.amazonaws.com");
      assert.throws(
        () => endpoint("210987654321.dkr.ecr.eu-west-1.amazonaws.com/app:v1"),
        (err: unknown) =>
          err instanceof AppRunnerError &&
          err.code === "ImagePullFailed" &&
          err.message.includes('"mirrors": {"210987654321.dkr.ecr.eu-west-1.amazonaws.com": '),
      );
    });

    it("sends both names of the built-in registry to its address with a token minted for the repository", () => {
      const ecr = "111111111111.dkr.ecr.us-east-1.amazonaws.com";
      const builtIn = {
        address: "127.0.0.1:8601",
        isBuiltIn: (host: string) => host === "127.0.0.1:8601" || host === ecr,
        pullToken: (repository: string) => `token-for-${repository}`,
      };
      const own = (id: string): ReturnType<typeof resolveEndpoint> => resolveEndpoint({ ...config, builtIn }, parseImageReference(id));
      assert.deepEqual(own(`${ecr}/team/app:v1`), {
        registry: "127.0.0.1:8601",
        baseUrl: "http://127.0.0.1:8601",
        credentials: { kind: "token", token: "token-for-team/app" },
        mirroredFrom: ecr,
      });
      assert.deepEqual(own("127.0.0.1:8601/app:v1"), { registry: "127.0.0.1:8601", baseUrl: "http://127.0.0.1:8601", credentials: { kind: "token", token: "token-for-app" } });
      assert.equal(own("127.0.0.1:5000/app").credentials, undefined, "other registries as configured");
    });

    it("recognizes loopback hosts", () => {
      for (const h of ["127.0.0.1", "127.0.0.1:5000", "localhost:1", "[::1]:5000", "[::1]"]) assert.ok(isLoopbackHost(h), h);
      for (const h of ["10.0.0.1:5000", "example.com", "128.0.0.1"]) assert.ok(!isLoopbackHost(h), h);
    });
  });
});
