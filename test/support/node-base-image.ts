/**
 * A Node.js base image for Dockerfile builds, pushed to a test registry: Docker Hub is not
 * reachable here, so `FROM node:18` is replaced by the managed Node.js 18 runtime the builder
 * makes (Debian + node + npm, cached in TEST_RUNTIMES_DIR across test runs), as one layer.
 *
 *   const base = await pushNodeBaseImage(registry.host);   // "127.0.0.1:<port>/node:18"
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runtimeLayer } from "../../src/builder/assemble/assemble.js";
import { RuntimeCatalog } from "../../src/builder/runtimes/catalog.js";
import { TEST_RUNTIMES_DIR } from "./python-hello.js";

const sha256 = (b: Buffer): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

export async function pushNodeBaseImage(registryHost: string, repo = "node", tag = "18"): Promise<string> {
  const catalog = new RuntimeCatalog({ dir: TEST_RUNTIMES_DIR });
  const versions = await catalog.availableVersions("NODEJS_18");
  const version = versions[versions.length - 1];
  if (!version) throw new Error("no Node.js 18 version is available from the npm registry");
  const runtime = await catalog.ensure("NODEJS_18", version, () => undefined);
  const layer = await runtimeLayer(runtime);
  const dir = mkdtempSync(join(tmpdir(), "openrunner-node-base-"));
  try {
    const blobs = join(dir, "blobs", "sha256");
    mkdirSync(blobs, { recursive: true });
    const blob = (digest: string): string => join(blobs, digest.slice("sha256:".length));
    try {
      linkSync(layer.path, blob(layer.info.digest));
    } catch {
      copyFileSync(layer.path, blob(layer.info.digest));
    }
    const created = "2026-01-01T00:00:00Z";
    // buildah counts history entries against layers: a real image has one per layer.
    const config = Buffer.from(
      JSON.stringify({
        created,
        architecture: "amd64",
        os: "linux",
        config: { Env: runtime.env, Cmd: ["node"] },
        rootfs: { type: "layers", diff_ids: [layer.info.digest] },
        history: [{ created, created_by: `openrunner test runtime node ${runtime.version}` }],
      }),
    );
    writeFileSync(blob(sha256(config)), config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layer.info.digest, size: layer.info.size }],
      }),
    );
    writeFileSync(blob(sha256(manifest)), manifest);
    writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    writeFileSync(
      join(dir, "index.json"),
      JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha256(manifest), size: manifest.length }] }),
    );
    const ref = `${registryHost}/${repo}:${tag}`;
    execFileSync("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", `oci:${dir}`, `docker://${ref}`], { timeout: 120_000 });
    return ref;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
