import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { buildAndPushImage, buildLayer, type ImageFiles, type PushedImage } from "../../test/support/oci-image.js";
import {
  REGISTRY_TEST_PASSWORD,
  REGISTRY_TEST_USER,
  startRegistry,
  type TestRegistry,
} from "../../test/support/registry.js";
import { HttpReceiver } from "../../test/support/http-receiver.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { LocalImageStore } from "./image-store.js";
import { emptyRegistryConfig } from "./registry-config.js";

const exists = (p: string): Promise<boolean> =>
  lstat(p).then(
    () => true,
    () => false,
  );

// Debian's registry, which `npm run up` installs; the unit loop (npm run test:unit) needs no apt.
const withRegistry = existsSync("/usr/bin/docker-registry") ? false : "needs /usr/bin/docker-registry (installed by npm run up)";
// The unpacked files keep the image's owners (uid 0) only when unpacked by root; the later tests use that pull.
const asRoot = process.getuid?.() === 0 ? withRegistry : "needs root: unpacked files keep their owners only as root";
describe("LocalImageStore against a real registry", { skip: asRoot }, () => {
  let registry: TestRegistry;
  let dir: string;
  let store: LocalImageStore;
  let hello: PushedImage;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "openrunner-images-"));
    registry = await startRegistry();
    store = new LocalImageStore({ dir: join(dir, "images"), config: emptyRegistryConfig() });
    hello = await buildAndPushImage(registry.host, "hello", "latest", {
      busybox: true,
      files: { "/www/index.html": "hello\n", "/app/run.sh": { content: "#!/bin/sh\necho hi\n", mode: 0o755 } },
      entrypoint: ["/bin/busybox"],
      cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"],
      env: ["PATH=/bin", "GREETING=hi"],
      workingDir: "/app",
      user: "1000:1000",
      exposedPorts: [8080],
    });
  });
  after(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("pulls and unpacks a busybox image, then finds it present", async () => {
    const lines: string[] = [];
    const t0 = performance.now();
    const first = await store.pull(`${registry.host}/hello:latest`, { log: (l) => lines.push(l) });
    const firstMs = performance.now() - t0;
    assert.equal(first.resolvedDigest, hello.digest);
    assert.equal(first.image.manifestDigest, hello.manifestDigest);
    const busybox = await stat(join(first.image.rootfs, "bin/busybox"));
    assert.equal(busybox.mode & 0o777, 0o755);
    assert.equal(busybox.uid, 0);
    assert.equal(await readlink(join(first.image.rootfs, "bin/sh")), "busybox");
    assert.equal(await readFile(join(first.image.rootfs, "www/index.html"), "utf8"), "hello\n");
    assert.deepEqual(first.image.config, {
      entrypoint: ["/bin/busybox"],
      cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"],
      env: ["PATH=/bin", "GREETING=hi"],
      workingDir: "/app",
      user: "1000:1000",
      exposedPorts: [8080],
    });
    assert.ok(first.image.sizeBytes > 500_000, `size ${first.image.sizeBytes}`);
    assert.equal(lines[0], `Pulling image ${registry.host}/hello:latest`);
    assert.ok(lines.includes(`Image digest: ${hello.digest}`), lines.join("\n"));
    assert.match(lines.at(-1) ?? "", /^Pulled 2 layers \(\d+\.\d MB\) in \d+ ms$/);

    const again: string[] = [];
    const t1 = performance.now();
    const second = await store.pull(`${registry.host}/hello:latest`, { log: (l) => again.push(l) });
    const secondMs = performance.now() - t1;
    assert.equal(again.at(-1), "Image already present");
    assert.deepEqual(second, first);
    console.log(`first pull ${firstMs.toFixed(0)} ms, second pull ${secondMs.toFixed(1)} ms`);

    const byDigest = await store.pull(`${registry.host}/hello@${hello.digest}`);
    assert.equal(byDigest.image.rootfs, first.image.rootfs);
    const pinned = await store.pull(`${registry.host}/hello:latest`, { digest: hello.digest });
    assert.equal(pinned.resolvedDigest, hello.digest);
    assert.equal(await store.resolve(`${registry.host}/hello:latest`), hello.digest);
    assert.deepEqual(await readdir(join(dir, "images", "tmp")), []);
  });

  it("shares one pull between concurrent callers; one giving up does not fail the others", async () => {
    const image = await buildAndPushImage(registry.host, "concurrent", "v1", { files: { "/a": "a" } });
    const blobGets: string[] = [];
    const counting: typeof fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes("/blobs/")) blobGets.push(url);
      return fetch(input, init);
    };
    const shared = new LocalImageStore({ dir: join(dir, "shared"), config: emptyRegistryConfig(), fetch: counting });
    const quitter = new AbortController();
    const abandoned = shared.pull(`${registry.host}/concurrent:v1`, { signal: quitter.signal });
    const results = Promise.all(Array.from({ length: 5 }, () => shared.pull(`${registry.host}/concurrent:v1`)));
    setTimeout(() => quitter.abort(new Error("gave up")), 5);
    await assert.rejects(abandoned, /gave up/);
    for (const r of await results) assert.equal(r.image.manifestDigest, image.manifestDigest);
    assert.equal(blobGets.length, 2, blobGets.join("\n")); // one config, one layer
    assert.deepEqual(await readdir(join(dir, "shared", "tmp")), []);
  });

  it("applies whiteouts and opaque directories from upper layers", async () => {
    await buildAndPushImage(registry.host, "layered", "v1", {
      layers: [
        { "/etc/keep": "keep", "/etc/gone": "gone", "/data/old1": "1", "/data/sub/old2": "2" },
        { "/etc/gone": { whiteout: true }, "/data/.wh..wh..opq": "", "/data/new": "new" },
      ],
      files: { "/etc/added": "added" },
      format: "docker",
    });
    const { image } = await store.pull(`${registry.host}/layered:v1`);
    assert.equal(await readFile(join(image.rootfs, "etc/keep"), "utf8"), "keep");
    assert.equal(await readFile(join(image.rootfs, "etc/added"), "utf8"), "added");
    assert.equal(await exists(join(image.rootfs, "etc/gone")), false);
    assert.equal(await exists(join(image.rootfs, "etc/.wh.gone")), false);
    assert.deepEqual((await readdir(join(image.rootfs, "data"))).sort(), ["new"]);
  });

  it("imports a built image onto its base's unpacked rootfs when the base's diff_ids come first, and prune keeps the base with it", async () => {
    const baseLayers: ImageFiles[] = [{ "/etc/keep": "keep", "/etc/gone": "gone", "/data/old": "1" }, { "/etc/top": "top" }];
    await buildAndPushImage(registry.host, "base", "v1", { layers: baseLayers.slice(0, 1), files: baseLayers[1] ?? {} });
    const base = await store.pull(`${registry.host}/base:v1`);
    const lower = await Promise.all(baseLayers.map((l) => buildLayer(l)));
    const own = await buildLayer({ "/etc/gone": { whiteout: true }, "/data/.wh..wh..opq": "", "/data/new": "new", "/app/server.js": "x" });
    // As a rebuild's layout: the base's layers uncompressed (named by diff_id), the build's own gzipped.
    const layers = [...lower.map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar", bytes: gunzipSync(l.gz.bytes) })), { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", bytes: own.gz.bytes }];
    const built = await writeLayout(join(dir, "built"), layers, [...lower.map((l) => l.diffId), own.diffId]);
    const lines: string[] = [];
    const imported = await store.importLayout(built, "openrunner.local/app:1", { baseImage: base.image.manifestDigest, log: (l) => lines.push(l) });
    assert.ok(lines.some((l) => l === `Started from the unpacked base image ${base.image.manifestDigest} (2 of 3 layers)`), lines.join("\n"));
    const root = imported.image.rootfs;
    assert.equal(await readFile(join(root, "etc/keep"), "utf8"), "keep");
    assert.equal(await readFile(join(root, "app/server.js"), "utf8"), "x");
    assert.equal(await exists(join(root, "etc/gone")), false);
    assert.deepEqual((await readdir(join(root, "data"))).sort(), ["new"]);
    assert.equal((await stat(join(root, "etc/keep"))).ino, (await stat(join(base.image.rootfs, "etc/keep"))).ino, "the base's files are linked, not copied");
    // The base's own rootfs is untouched by the whiteouts.
    assert.deepEqual((await readdir(join(base.image.rootfs, "data"))).sort(), ["old"]);
    assert.equal(await exists(join(base.image.rootfs, "etc/gone")), true);

    // A base whose layers are not the image's first ones is not used: the image is unpacked whole.
    const other = await writeLayout(join(dir, "other"), [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", bytes: own.gz.bytes }], [own.diffId]);
    const whole: string[] = [];
    const alone = await store.importLayout(other, "openrunner.local/app:2", { baseImage: base.image.manifestDigest, log: (l) => whole.push(l) });
    assert.equal(whole.some((l) => l.startsWith("Started from")), false, whole.join("\n"));
    assert.deepEqual(await readdir(join(alone.image.rootfs, "data")), ["new"]);

    const removed = await store.prune(() => new Set([imported.resolvedDigest]));
    assert.equal(removed.includes(base.image.manifestDigest), false, "kept as the base of a kept image");
    assert.ok(removed.includes(alone.image.manifestDigest));
    assert.ok((await store.get(base.image.manifestDigest)) && (await store.storedManifest(base.image.manifestDigest)), "the base stays whole");
  });

  it("chooses linux/amd64 from an index", async () => {
    const image = await buildAndPushImage(registry.host, "multi", "v1", { files: { "/x": "x" }, index: true });
    assert.notEqual(image.digest, image.manifestDigest);
    const result = await store.pull(`${registry.host}/multi:v1`);
    assert.equal(result.resolvedDigest, image.digest);
    assert.equal(result.image.manifestDigest, image.manifestDigest);
    assert.equal((await store.get(image.digest))?.manifestDigest, image.manifestDigest);
  });

  it("reports a missing image and repository as ImageNotFound", async () => {
    for (const id of [`${registry.host}/hello:nope`, `${registry.host}/nothing/here:latest`]) {
      await assert.rejects(store.pull(id), (err: unknown) => {
        assert.ok(err instanceof AppRunnerError);
        assert.equal(err.code, "ImageNotFound");
        assert.equal(err.message, `Image ${id} was not found in the registry.`);
        return true;
      });
    }
  });

  it("holds an image a deployment found against a prune until it is recorded (keep is asked after)", async () => {
    let pruned = false;
    const { found, pruning } = await store.using(async () => {
      // "Image already present": another service's delete prunes right now. What other tests
      // pulled stays recorded; only this deployment's image is not recorded yet.
      const found = await store.pull(`${registry.host}/hello:latest`);
      const others = (await readdir(join(dir, "images", "unpacked"))).map((n) => `sha256:${n}`).filter((d) => d !== found.image.manifestDigest);
      let recorded = new Set(others);
      const pruning = store.prune(() => recorded).finally(() => (pruned = true));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(pruned, false, "the prune waits while the deployment holds its image");
      recorded = new Set([...others, found.resolvedDigest]);
      return { found, pruning };
    });
    assert.equal((await pruning).includes(found.image.manifestDigest), false);
    assert.ok((await stat(found.image.rootfs)).isDirectory(), "the recorded image is still unpacked");
  });

  it("prunes images not kept, including their blobs", async () => {
    const keep = await store.pull(`${registry.host}/multi:v1`);
    const before = await readdir(join(dir, "images", "unpacked"));
    assert.ok(before.length >= 3);
    // The index digest (what a deployment records) keeps its manifest.
    const removed = await store.prune(() => new Set([keep.resolvedDigest]));
    assert.ok(removed.includes(hello.manifestDigest));
    assert.deepEqual(await readdir(join(dir, "images", "unpacked")), [keep.image.manifestDigest.slice(7)]);
    const blobs = new Set(await readdir(join(dir, "images", "blobs", "sha256")));
    for (const d of hello.layerDigests) assert.equal(blobs.has(d.slice(7)), false);
    assert.ok(blobs.has(keep.resolvedDigest.slice(7)));
    assert.equal(await exists(join(keep.image.rootfs, "x")), true);
    assert.equal(await store.get(hello.manifestDigest), undefined);
    // Pulled again after pruning: fetched anew.
    const lines: string[] = [];
    await store.pull(`${registry.host}/hello:latest`, { log: (l) => lines.push(l) });
    assert.match(lines.at(-1) ?? "", /^Pulled 2 layers/);
  });
});

describe("LocalImageStore with registry basic auth", { skip: withRegistry }, () => {
  let registry: TestRegistry;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "openrunner-images-auth-"));
    registry = await startRegistry({ basicAuth: true });
    await buildAndPushImage(registry.host, "private", "v1", {
      files: { "/secret": "s" },
      auth: { username: REGISTRY_TEST_USER, password: REGISTRY_TEST_PASSWORD },
    });
  });
  after(async () => {
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("is denied without credentials and pulls with them", async () => {
    const anonymous = new LocalImageStore({ dir: join(dir, "a"), config: emptyRegistryConfig() });
    await assert.rejects(anonymous.pull(`${registry.host}/private:v1`), (err: unknown) => {
      assert.ok(err instanceof AppRunnerError);
      assert.equal(err.code, "ImageAccessDenied");
      assert.match(err.message, /authentication was refused by the registry/);
      return true;
    });
    const wrong = new LocalImageStore({
      dir: join(dir, "w"),
      config: { registries: { [registry.host]: { username: REGISTRY_TEST_USER, password: "wrong-pass-123" } }, mirrors: {} },
    });
    await assert.rejects(wrong.pull(`${registry.host}/private:v1`), (err: unknown) => {
      assert.ok(err instanceof AppRunnerError);
      assert.equal(err.code, "ImageAccessDenied");
      assert.ok(!err.message.includes("wrong-pass-123"));
      return true;
    });
    const authed = new LocalImageStore({
      dir: join(dir, "b"),
      config: {
        registries: { [registry.host]: { username: REGISTRY_TEST_USER, password: REGISTRY_TEST_PASSWORD } },
        mirrors: { "123456789012.dkr.ecr.us-east-1.amazonaws.com": registry.host },
      },
    });
    const { image } = await authed.pull("123456789012.dkr.ecr.us-east-1.amazonaws.com/private:v1");
    assert.equal(await readFile(join(image.rootfs, "secret"), "utf8"), "s");
  });
});

describe("test registry notifications", { skip: withRegistry }, () => {
  it("POSTs push events with the bearer token", async (t) => {
    const receiver = await new HttpReceiver().start();
    t.after(() => receiver.close());
    const registry = await startRegistry({ notifyUrl: `${receiver.url}/registry-events`, notifyToken: "notify-token" });
    t.after(() => registry.stop());
    const pushed = await buildAndPushImage(registry.host, "notified", "v1", { files: { "/n": "n" } });
    const deadline = Date.now() + 10_000;
    const manifestEvent = (): boolean =>
      receiver.received.some((r) =>
        (JSON.parse(r.body) as { events: Array<{ action: string; target: { digest: string } }> }).events.some(
          (e) => e.action === "push" && e.target.digest === pushed.manifestDigest,
        ),
      );
    while (!manifestEvent() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(manifestEvent(), `no manifest push event in ${receiver.received.length} notifications`);
    const first = receiver.received[0];
    assert.equal(first?.path, "/registry-events");
    assert.equal(first?.headers.authorization, "Bearer notify-token");
  });
});

/** An OCI layout of one image (as a build writes it): its layers, a config with their diff_ids. */
async function writeLayout(dir: string, layers: { mediaType: string; bytes: Buffer }[], diffIds: string[]): Promise<string> {
  const blobs = join(dir, "blobs", "sha256");
  await mkdir(blobs, { recursive: true });
  const put = async (bytes: Buffer): Promise<{ digest: string; size: number }> => {
    const hex = createHash("sha256").update(bytes).digest("hex");
    await writeFile(join(blobs, hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Cmd: ["/app/server.js"] }, rootfs: { type: "layers", diff_ids: diffIds } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", ...(await put(config)) },
      layers: await Promise.all(layers.map(async (l) => ({ mediaType: l.mediaType, ...(await put(l.bytes)) }))),
    }),
  );
  const m = await put(manifest);
  await writeFile(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...m }] }));
  return dir;
}
