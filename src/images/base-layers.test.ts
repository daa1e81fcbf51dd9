import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { applyWhiteouts, baseLayerCount, diffIdsOf, whiteoutsOf } from "./base-layers.js";

describe("an image's unpacked base", () => {
  it("stands for the image's first layers only when all of its diff_ids are the image's first ones", () => {
    const cases: [string[], string[], number][] = [
      [["a"], ["a", "b"], 1],
      [["a", "b"], ["a", "b", "c"], 2],
      [["a", "b"], ["a", "b"], 2],
      [["a", "x"], ["a", "b", "c"], 0],
      [["b"], ["a", "b"], 0],
      [["a", "b", "c"], ["a", "b"], 0],
      [[], ["a"], 0],
    ];
    for (const [base, image, want] of cases) assert.equal(baseLayerCount(base, image), want, `${base.join()} under ${image.join()}`);
  });

  it("diff_ids come from the config's rootfs; anything else is none", () => {
    assert.deepEqual(diffIdsOf(Buffer.from(JSON.stringify({ rootfs: { type: "layers", diff_ids: ["sha256:a", "sha256:b"] } }))), ["sha256:a", "sha256:b"]);
    for (const bad of ["{", "[]", "{}", '{"rootfs":{}}', '{"rootfs":{"diff_ids":[1]}}']) assert.equal(diffIdsOf(Buffer.from(bad)), undefined, bad);
  });

  it("a layer's whiteouts: removed files, opaque directories, and names that climb out refused", () => {
    assert.deepEqual(whiteoutsOf(["app/", "app/.wh.old.js", "./etc/.wh.hosts", ".wh.tmp", "var/cache/.wh..wh..opq", ".wh..wh..opq", "app/x.wh.y/z"]), {
      removed: ["app/old.js", "etc/hosts", "tmp"],
      opaque: ["var/cache", ""],
    });
    assert.equal(whiteoutsOf(["a/../../.wh.passwd"]).invalid, "a/../../.wh.passwd");
    assert.equal(whiteoutsOf(["a/.wh..."]).invalid, "a/.wh...");
  });

  it("whiteouts remove and empty inside the rootfs, never through a symbolic link out of it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "openrunner-whiteouts-"));
    try {
      const root = join(dir, "rootfs");
      const outside = join(dir, "outside");
      await mkdir(join(root, "app"), { recursive: true });
      await mkdir(join(root, "cache", "sub"), { recursive: true });
      await mkdir(outside);
      await writeFile(join(outside, "secret"), "x");
      await writeFile(join(root, "app", "old.js"), "x");
      await writeFile(join(root, "app", "keep.js"), "x");
      await writeFile(join(root, "cache", "sub", "f"), "x");
      await symlink(outside, join(root, "evil"));
      await symlink(outside, join(root, "link-dir"));
      await applyWhiteouts(root, { removed: ["app/old.js", "gone/x"], opaque: ["cache", "link-dir"] }, "sha256:l");
      assert.deepEqual((await readdir(join(root, "app"))).sort(), ["keep.js"]);
      assert.deepEqual(await readdir(join(root, "cache")), []);
      // An opaque directory that is a link below is replaced, its target untouched.
      assert.deepEqual((await readdir(root)).sort(), ["app", "cache", "evil"]);
      await assert.rejects(applyWhiteouts(root, { removed: ["evil/secret"], opaque: [] }, "sha256:l"), AppRunnerError);
      await assert.rejects(applyWhiteouts(root, { removed: [], opaque: ["evil/x"] }, "sha256:l"), AppRunnerError);
      assert.deepEqual(await readdir(outside), ["secret"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
