import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SecretBox } from "../iam/secret-box.js";
import { Store } from "./store.js";

/** A store and a second connection to its file, as the `openrunner connection` command is. */
function twoConnections(): { store: Store; other: Store; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "store-read-"));
  const file = join(dir, "openrunner.db");
  const box = SecretBox.fromKey(randomBytes(32));
  const store = Store.open(file, box);
  const other = Store.open(file, box);
  return {
    store,
    other,
    done: () => {
      other.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("the store's read transaction", () => {
  it("reads from one snapshot: what another process writes meanwhile shows after it, not halfway", () => {
    const { store, other, done } = twoConnections();
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
      done();
    }
  });
});

describe("cached resource rows (PRAGMA data_version)", () => {
  const arn = "arn:aws:apprunner:us-east-1:123456789012:service/web/0123456789abcdef0123456789abcdef";
  const ascArn = "arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/small/1/0123456789abcdef0123456789abcdef";
  const insert = (s: Store, a: string, status: string): void => {
    const kind = a === ascArn ? "auto-scaling-configuration" : "service";
    s.resources.insert({ arn: a, kind, name: a === ascArn ? "small" : "web", status, doc: { Status: status }, createdAt: 1 });
  };
  const statusOf = (s: Store, a: string): string | undefined => s.resources.get<{ Status: string }>(a)?.doc.Status;
  const setStatus = (s: Store, a: string, status: string): void => {
    const row = s.resources.get<{ Status: string }>(a) ?? assert.fail("no row");
    s.resources.update({ ...row, status, doc: { Status: status } });
  };

  it("sees another connection's commit at the next read, and this connection's own writes at once", () => {
    const { store, other, done } = twoConnections();
    try {
      insert(store, arn, "RUNNING");
      assert.equal(statusOf(store, arn), "RUNNING");
      assert.equal(statusOf(store, arn), "RUNNING", "a cached read");
      setStatus(other, arn, "PAUSED");
      assert.equal(statusOf(store, arn), "PAUSED", "the other connection's commit");
      setStatus(store, arn, "OPERATION_IN_PROGRESS");
      assert.equal(statusOf(store, arn), "OPERATION_IN_PROGRESS", "its own update");
      assert.equal(statusOf(other, arn), "OPERATION_IN_PROGRESS");
      other.resources.remove(arn);
      assert.equal(store.resources.get(arn), undefined, "removed by the other connection");
      insert(other, arn, "CREATE_FAILED");
      assert.equal(statusOf(store, arn), "CREATE_FAILED", "made again there");
    } finally {
      done();
    }
  });

  it("forgets what a rolled-back transaction wrote", () => {
    const { store, done } = twoConnections();
    try {
      insert(store, arn, "RUNNING");
      assert.throws(() =>
        store.tx(() => {
          setStatus(store, arn, "DELETED");
          assert.equal(statusOf(store, arn), "DELETED", "inside the transaction");
          throw new Error("rolled back");
        }),
      );
      assert.equal(statusOf(store, arn), "RUNNING");
    } finally {
      done();
    }
  });

  it("reads rows of one snapshot inside Store.read, cached or not, and the other connection's commit after it", () => {
    const { store, other, done } = twoConnections();
    try {
      insert(store, arn, "RUNNING");
      insert(store, ascArn, "ACTIVE");
      assert.equal(statusOf(store, arn), "RUNNING");
      const seen = store.read(() => {
        const first = statusOf(store, arn);
        setStatus(other, arn, "PAUSED");
        setStatus(other, ascArn, "INACTIVE");
        return [first, statusOf(store, arn), statusOf(store, ascArn)];
      });
      assert.deepEqual(seen, ["RUNNING", "RUNNING", "ACTIVE"]);
      assert.deepEqual([statusOf(store, arn), statusOf(store, ascArn)], ["PAUSED", "INACTIVE"]);
    } finally {
      done();
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
