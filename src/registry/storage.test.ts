import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { describeManifest, isBuiltInHost } from "./built-in.js";
import { RegistryStorage } from "./storage.js";

/** Writes distribution's layout for one manifest by hand, as the registry does on a push. */
function push(root: string, repo: string, manifest: object, tags: string[], pushedAt: Date): string {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const hex = createHash("sha256").update(bytes).digest("hex");
  const v2 = join(root, "docker", "registry", "v2");
  mkdirSync(join(v2, "blobs", "sha256", hex.slice(0, 2), hex), { recursive: true });
  writeFileSync(join(v2, "blobs", "sha256", hex.slice(0, 2), hex, "data"), bytes);
  const rev = join(v2, "repositories", repo, "_manifests", "revisions", "sha256", hex);
  mkdirSync(rev, { recursive: true });
  writeFileSync(join(rev, "link"), `sha256:${hex}`);
  utimesSync(join(rev, "link"), pushedAt, pushedAt);
  for (const t of tags) {
    const dir = join(v2, "repositories", repo, "_manifests", "tags", t, "current");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "link"), `sha256:${hex}`);
  }
  return `sha256:${hex}`;
}

describe("RegistryStorage", () => {
  const root = mkdtempSync(join(tmpdir(), "openrunner-registry-storage-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const storage = new RegistryStorage(root);
  const oci = (n: number): object => ({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", size: 100 + n, digest: `sha256:${"c".repeat(64)}` },
    layers: [{ size: 1000, digest: `sha256:${"d".repeat(64)}` }],
  });
  const t1 = new Date(Date.UTC(2026, 0, 1));
  const t2 = new Date(Date.UTC(2026, 0, 2));
  const first = push(root, "team/app", oci(1), [], t1);
  const second = push(root, "team/app", oci(2), ["latest", "v2"], t2);

  it("reads every manifest with its push time, tagged or not", async () => {
    const revisions = (await storage.revisions("team/app")).sort((a, b) => a.pushedAt.getTime() - b.pushedAt.getTime());
    assert.deepEqual(revisions, [{ digest: first, pushedAt: t1 }, { digest: second, pushedAt: t2 }]);
    assert.deepEqual([...(await storage.tags("team/app"))], [["latest", second], ["v2", second]]);
    assert.ok(storage.tagExists("team/app", "v2"));
    assert.ok(!storage.tagExists("team/app", "v3"));
    assert.ok(!storage.tagExists("team/app", "../../x"));
    assert.deepEqual(await storage.revisions("nothing"), []);
  });

  it("removes a tag alone, then the repository", async () => {
    await storage.untag("team/app", "v2");
    assert.deepEqual([...(await storage.tags("team/app"))], [["latest", second]]);
    assert.equal((await storage.revisions("team/app")).length, 2);
    await assert.rejects(storage.untag("team/app", "../v1"), /Invalid image tag/);
    await storage.deleteRepository("team/app");
    assert.deepEqual(await storage.revisions("team/app"), []);
    assert.ok(await storage.blob(second), "blobs stay for a garbage collection");
  });
});

describe("describeManifest", () => {
  const cases: { name: string; doc: object; want: ReturnType<typeof describeManifest> }[] = [
    {
      name: "an OCI manifest: config and layers",
      doc: { mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", size: 10 }, layers: [{ size: 5 }, { size: 7 }] },
      want: { sizeBytes: 22, manifestMediaType: "application/vnd.oci.image.manifest.v1+json", artifactMediaType: "application/vnd.oci.image.config.v1+json" },
    },
    {
      name: "an index: its manifests",
      doc: { mediaType: "application/vnd.oci.image.index.v1+json", manifests: [{ size: 400 }, { size: 500 }] },
      want: { sizeBytes: 900, manifestMediaType: "application/vnd.oci.image.index.v1+json" },
    },
    { name: "no media type: OCI's", doc: { config: { size: 1 }, layers: [] }, want: { sizeBytes: 1, manifestMediaType: "application/vnd.oci.image.manifest.v1+json" } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(describeManifest(Buffer.from(JSON.stringify(c.doc))), c.want));
});

describe("isBuiltInHost", () => {
  const cases: [string, boolean][] = [
    ["127.0.0.1:8601", true],
    ["123456789012.dkr.ecr.us-east-1.amazonaws.com", true],
    ["123456789012.DKR.ECR.us-east-1.amazonaws.com", true],
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com", false],
    ["999999999999.dkr.ecr.us-east-1.amazonaws.com", false],
    ["127.0.0.1:5000", false],
    ["docker.io", false],
  ];
  for (const [host, want] of cases) it(host, () => assert.equal(isBuiltInHost(host, "127.0.0.1:8601", "123456789012", "us-east-1"), want));
});
