import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { lockDataDir, lockName } from "./data-dir-lock.js";

test("one lock per data directory: the second is refused with the holder's PID, and free again after release", async () => {
  const root = mkdtempSync(join(tmpdir(), "or-lock-"));
  try {
    const dir = join(root, "data");
    const other = join(root, "other");
    const first = await lockDataDir(dir);
    await assert.rejects(lockDataDir(dir), (err: Error) => {
      assert.match(err.message, new RegExp(`data directory ${dir} is in use by another OpenRunner \\(PID ${process.pid}\\)`));
      return true;
    });
    const elsewhere = await lockDataDir(other);
    assert.notEqual(lockName(dir), lockName(other));
    await first.release();
    const again = await lockDataDir(dir);
    await again.release();
    await elsewhere.release();
    // No lock file: nothing can go stale when a holder is killed.
    assert.deepEqual(readdirSync(dir), ["secret.key"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("with a master key kept elsewhere: nothing is made in the data directory, and two directories sharing the key have two locks", async () => {
  const root = mkdtempSync(join(tmpdir(), "or-lock-"));
  try {
    const keyFile = join(root, "master.key");
    const [a, b] = [join(root, "a"), join(root, "b")];
    const first = await lockDataDir(a, keyFile);
    const second = await lockDataDir(b, keyFile);
    await assert.rejects(lockDataDir(a, keyFile), /is in use by another OpenRunner/);
    assert.notEqual(lockName(a, keyFile), lockName(b, keyFile));
    assert.deepEqual(readdirSync(a), [], "no secret.key beside the data");
    await first.release();
    await second.release();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
