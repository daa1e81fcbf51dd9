import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pushHelloApp } from "../../test/support/app-images.js";
import { skipUnlessOnPath } from "../../test/support/host-tools.js";
import { startRegistry, type TestRegistry } from "../../test/support/registry.js";
import { skopeo } from "../../test/support/skopeo.js";
import { LocalImageStore } from "../images/image-store.js";
import { systemClock } from "../util/clock.js";
import { cryptoRandom } from "../util/random.js";
import { createRegistry, type RunningRegistry } from "./built-in-registry.js";
import type { TagMutability } from "./types.js";

/** BuiltInRegistry over a real docker-registry: what the ECR API lists and deletes. */
describe("the built-in registry's contents", { timeout: 120_000, skip: skipUnlessOnPath("skopeo", "docker-registry", "umoci") }, () => {
  const dir = mkdtempSync(join(tmpdir(), "openrunner-registry-contents-"));
  const repositories = new Map<string, TagMutability>([["app", "MUTABLE"], ["apprunner/web/0123", "MUTABLE"]]);
  let registry: RunningRegistry;
  let source: TestRegistry;
  const lines: string[] = [];
  const copy = (from: string, to: string): Promise<{ code: number; out: string }> =>
    skopeo(["copy", "--authfile", join(dir, "auth.json"), "--src-tls-verify=false", "--dest-tls-verify=false", `docker://${source.host}/${from}`, `docker://${registry.address}/${to}`]);

  before(async () => {
    source = await startRegistry();
    registry = await createRegistry({
      dataDir: dir,
      port: 0,
      accountId: "123456789012",
      region: "us-east-1",
      clock: systemClock,
      random: cryptoRandom,
      logger: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`),
      repositories: { find: (n) => (repositories.has(n) ? { tagMutability: repositories.get(n) ?? "MUTABLE" } : undefined) },
    });
    await registry.start();
    const { password } = registry.issue({ accountId: "123456789012", accessKeyId: "AKIATEST" }, new Date());
    const login = await skopeo(["login", "--authfile", join(dir, "auth.json"), "-u", "AWS", "--password-stdin", "--tls-verify=false", registry.address], password);
    assert.equal(login.code, 0, login.out);
  });

  after(async () => {
    await registry?.stop();
    await source?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps its key files private and names itself by address and ECR host", () => {
    for (const f of ["token-signing.key", "password.key", "http.secret"]) assert.equal(statSync(join(dir, "registry", f)).mode & 0o777, 0o600, f);
    assert.ok(registry.isBuiltIn(registry.address));
    assert.ok(registry.isBuiltIn("123456789012.dkr.ecr.us-east-1.amazonaws.com"));
    assert.ok(!registry.isBuiltIn("127.0.0.1:5000"));
  });

  it("lists tagged and untagged images, reads a manifest, untags, deletes an image and a repository", async () => {
    const one = await pushHelloApp(source.host, "hello", "v1", "one");
    assert.equal((await copy("hello:v1", "app:v1")).code, 0);
    const two = await pushHelloApp(source.host, "hello", "v1", "two");
    assert.equal((await copy("hello:v1", "app:v1")).code, 0);
    assert.equal((await copy("hello:v1", "app:latest")).code, 0);

    const images = await registry.listImages("app");
    assert.deepEqual(images.map((i) => [i.digest, i.tags]), [[one.digest, []], [two.digest, ["latest", "v1"]]]);
    assert.ok(images.every((i) => i.sizeBytes > 1000 && i.manifestMediaType === "application/vnd.oci.image.manifest.v1+json"));
    assert.ok((images[0]?.pushedAt.getTime() ?? 0) <= (images[1]?.pushedAt.getTime() ?? 0));

    const manifest = await registry.getManifest("app", "v1");
    assert.equal(manifest?.digest, two.digest);
    assert.equal(manifest?.mediaType, "application/vnd.oci.image.manifest.v1+json");
    assert.equal(await registry.getManifest("app", "nope"), undefined);

    await registry.untag("app", "latest");
    assert.deepEqual((await registry.listImages("app")).map((i) => i.tags), [[], ["v1"]]);
    assert.equal((await registry.getManifest("app", one.digest))?.digest, one.digest, "an untagged image is still there by digest");

    await registry.deleteImage("app", two.digest);
    assert.deepEqual((await registry.listImages("app")).map((i) => i.digest), [one.digest]);
    assert.equal(await registry.getManifest("app", "v1"), undefined, "its tags went with it");

    await registry.deleteRepository("app");
    assert.deepEqual(await registry.listImages("app"), []);
  });

  it("takes OpenRunner's own push from this host's image store (builds keep their images): only what it lacks, a tag per push, pullable with a password", async () => {
    const pushed = await pushHelloApp(source.host, "hello", "v1", "kept");
    const images = new LocalImageStore({ dir: join(dir, "images"), config: { registries: {}, mirrors: {} } });
    const manifestDigest = (await images.pull(`${source.host}/hello:v1`)).image.manifestDigest;
    assert.equal(manifestDigest, pushed.digest);
    const stored = await images.storedManifest(manifestDigest);
    assert.ok(stored && stored.blobs.length >= 2, "the config and at least one layer");
    assert.equal(await images.storedManifest(`sha256:${"0".repeat(64)}`), undefined);

    assert.equal(await registry.pushImage("apprunner/web/0123", "op1", stored), manifestDigest);
    // The second push finds every blob there: only the manifest goes up, under another tag.
    assert.equal(await registry.pushImage("apprunner/web/0123", "op2", stored), manifestDigest);
    const listed = await registry.listImages("apprunner/web/0123");
    assert.deepEqual(listed.map((i) => [i.digest, i.tags]), [[manifestDigest, ["op1", "op2"]]]);
    assert.equal(listed[0]?.manifestMediaType, stored.manifest.mediaType);
    const inspect = await skopeo(["inspect", "--authfile", join(dir, "auth.json"), "--tls-verify=false", `docker://${registry.address}/apprunner/web/0123@${manifestDigest}`]);
    assert.equal(inspect.code, 0, inspect.out);
    assert.equal((JSON.parse(inspect.out) as { Digest: string }).Digest, manifestDigest);
  });

  it("collects a deleted image's blobs at its next start, before it serves, and keeps every image still there", async () => {
    const blob = (digest: string): string => join(dir, "registry", "storage", "docker", "registry", "v2", "blobs", "sha256", digest.slice(7, 9), digest.slice(7), "data");
    const kept = await pushHelloApp(source.host, "hello", "kept", "stays");
    assert.equal((await copy("hello:kept", "apprunner/web/0123:kept")).code, 0);
    const gone = await pushHelloApp(source.host, "hello", "gc", "goes");
    assert.equal((await copy("hello:gc", "app:gc")).code, 0);
    await registry.deleteImage("app", gone.digest);
    assert.ok(existsSync(blob(gone.digest)), "a deletion leaves the manifest's blob until a collection");
    assert.ok(existsSync(join(dir, "registry", "garbage.pending")));

    await registry.stop();
    lines.length = 0;
    await registry.start();
    assert.ok(!existsSync(blob(gone.digest)), "collected at the start");
    assert.ok(!existsSync(join(dir, "registry", "garbage.pending")));
    assert.match(lines.join("\n"), /registry garbage collected \{"component":"registry","blobsRemoved":[1-9]/);
    assert.equal((await registry.getManifest("apprunner/web/0123", "kept"))?.digest, kept.digest, "an image still there keeps its blobs");
    // Port 0: the front door came back on another port, which needs its own login.
    const { password } = registry.issue({ accountId: "123456789012", accessKeyId: "AKIATEST" }, new Date());
    assert.equal((await skopeo(["login", "--authfile", join(dir, "auth.json"), "-u", "AWS", "--password-stdin", "--tls-verify=false", registry.address], password)).code, 0);
    const pull = await skopeo(["inspect", "--authfile", join(dir, "auth.json"), "--tls-verify=false", `docker://${registry.address}/apprunner/web/0123:kept`]);
    assert.equal(pull.code, 0, pull.out);

    // Nothing deleted since: the next start does not collect.
    await registry.stop();
    lines.length = 0;
    await registry.start();
    assert.doesNotMatch(lines.join("\n"), /garbage collected/);
  });
});
