import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { corepackFor, nodeRuntimeEnv, NPM_GLOBAL_PREFIX, shipsCorepack } from "./node-runtime.js";
import type { PackageDist } from "./npm-registry.js";

const dist = (nodeEngines?: string): PackageDist => ({ tarball: "https://registry.example/corepack.tgz", integrity: "sha512-AA==", ...(nodeEngines ? { nodeEngines } : {}) });

describe("the Node.js runtime", () => {
  it("ships corepack with the Node.js releases that have it", () => {
    const table: [string, boolean][] = [
      ["12.22.12", false],
      ["14.18.3", false],
      ["14.19.0", true],
      ["14.21.3", true],
      ["16.8.0", false],
      ["16.9.0", true],
      ["18.20.8", true],
      ["22.12.0", true],
      ["24.1.0", true],
      ["25.0.0", false],
    ];
    for (const [version, ships] of table) assert.equal(shipsCorepack(version), ships, version);
  });

  it("takes the newest corepack whose engines.node admits the Node.js version", () => {
    const versions: Record<string, PackageDist> = {
      "0.10.0": dist(">=14.14.0"),
      "0.20.0": dist(">=16.20.0"),
      "0.24.0": dist(">=18.17.1"),
      "0.31.0": dist("^18.17.1 || ^20.10.0 || >=22.11.0"),
      "0.36.0": dist("^22.22.2 || ^24.15.0 || >=26.0.0"),
      "0.40.0-rc.1": dist(">=18"),
      "0.9.0": dist(),
    };
    const table: [string, string | undefined][] = [
      ["14.19.0", "0.10.0"],
      ["16.20.2", "0.20.0"],
      ["18.17.0", "0.20.0"],
      ["18.20.8", "0.31.0"],
      ["20.9.0", "0.24.0"],
      ["22.12.0", "0.31.0"],
      ["24.15.0", "0.36.0"],
      ["12.22.12", undefined],
    ];
    for (const [node, want] of table) assert.equal(corepackFor(node, versions), want, node);
  });

  it("puts npm's global bin first on PATH, ahead of corepack's shims, and never prompts", () => {
    const env = nodeRuntimeEnv("18.20.8");
    const path = env.find((e) => e.startsWith("PATH="))?.slice(5).split(":") ?? [];
    assert.equal(path[0], `${NPM_GLOBAL_PREFIX}/bin`);
    assert.ok(path.indexOf("/usr/local/bin") > 0);
    assert.ok(env.includes(`npm_config_prefix=${NPM_GLOBAL_PREFIX}`));
    assert.ok(env.includes("COREPACK_ENABLE_DOWNLOAD_PROMPT=0"));
    assert.ok(env.includes("COREPACK_DEFAULT_TO_LATEST=0"));
    assert.ok(env.includes("NODE_VERSION=18.20.8"));
    assert.ok(!env.some((e) => e.startsWith("COREPACK_INTEGRITY_KEYS=")), "corepack verifies signatures unless the registry cannot be verified");
    assert.ok(nodeRuntimeEnv("18.20.8", { corepackVerifiesSignatures: true }).every((e) => !e.startsWith("COREPACK_INTEGRITY_KEYS=")));
    assert.ok(nodeRuntimeEnv("18.20.8", { corepackVerifiesSignatures: false }).includes("COREPACK_INTEGRITY_KEYS=0"));
  });
});
