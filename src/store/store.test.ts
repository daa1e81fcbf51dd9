import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SecretBox } from "../iam/secret-box.js";
import { Store } from "./store.js";

describe("the store's read transaction", () => {
  it("reads from one snapshot: what another process writes meanwhile shows after it, not halfway", () => {
    const dir = mkdtempSync(join(tmpdir(), "store-read-"));
    const file = join(dir, "openrunner.db");
    const box = SecretBox.fromKey(randomBytes(32));
    const store = Store.open(file, box);
    // Another connection to the same file, as the `openrunner connection` command is.
    const other = Store.open(file, box);
    try {
      store.meta.set("k", "before");
      const seen = store.read(() => {
        const first = store.meta.get("k");
        other.meta.set("k", "after");
        return [first, store.meta.get("k")];
      });
      assert.deepEqual(seen, ["before", "before"]);
      assert.equal(store.meta.get("k"), "after");
      assert.throws(() => store.read(() => store.meta.get("missing") ?? assert.fail("not found")), /not found/, "an error inside leaves it as thrown");
      assert.equal(store.meta.get("k"), "after", "and the store reads on after it");
    } finally {
      other.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a resource's tags for IAM (aws:ResourceTag/*)", () => {
  it("record: the tags as a map, undefined for an untagged resource", () => {
    const dir = mkdtempSync(join(tmpdir(), "store-tags-"));
    const store = Store.open(join(dir, "openrunner.db"), SecretBox.fromKey(randomBytes(32)));
    try {
      const arn = "arn:aws:apprunner:us-east-1:123456789012:service/web/0123456789abcdef0123456789abcdef";
      assert.equal(store.tags.record(arn), undefined);
      store.tags.put(arn, [{ Key: "Owner", Value: "richard-roe" }, { Key: "Env", Value: "prod" }]);
      assert.deepEqual(store.tags.record(arn), { Env: "prod", Owner: "richard-roe" });
      store.tags.removeAll(arn);
      assert.equal(store.tags.record(arn), undefined);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
