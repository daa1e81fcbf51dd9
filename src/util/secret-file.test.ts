import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readOrCreateSecretFile } from "./secret-file.js";

test("readOrCreateSecretFile makes the file once (0600), keeps it, and narrows a wider mode", () => {
  const dir = mkdtempSync(join(tmpdir(), "or-secret-"));
  try {
    const file = join(dir, "s.key");
    let made = 0;
    const make = (): string => `secret-${++made}`;
    assert.equal(readOrCreateSecretFile(file, make).toString(), "secret-1");
    assert.equal(readOrCreateSecretFile(file, make).toString(), "secret-1");
    assert.equal(made, 1);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    chmodSync(file, 0o644);
    readOrCreateSecretFile(file, make);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ["s.key"], "no temporary file is left");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
