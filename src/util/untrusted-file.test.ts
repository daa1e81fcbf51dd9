import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readUntrustedFile, type UntrustedRead } from "./untrusted-file.js";

test("readUntrustedFile reads plain files only, never through links, at most maxBytes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "or-untrusted-"));
  try {
    writeFileSync(join(dir, "exit"), "3\n");
    writeFileSync(join(dir, "big"), "7".repeat(10_000));
    writeFileSync(join(dir, "secret"), "host secret\n");
    symlinkSync(join(dir, "secret"), join(dir, "link"));
    symlinkSync("/dev/zero", join(dir, "zero"));
    execFileSync("mkfifo", [join(dir, "fifo")]);
    const cases: [string, UntrustedRead][] = [
      ["exit", { kind: "read", text: "3\n", truncated: false }],
      ["big", { kind: "read", text: "7".repeat(16), truncated: true }],
      ["absent", { kind: "missing" }],
      ["link", { kind: "refused", why: "it is a symbolic link" }],
      ["zero", { kind: "refused", why: "it is a symbolic link" }],
      // Opening a FIFO for reading would wait for a writer forever without O_NONBLOCK.
      ["fifo", { kind: "refused", why: "it is not a regular file" }],
    ];
    for (const [name, expected] of cases) assert.deepEqual(await readUntrustedFile(join(dir, name), 16), expected, name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
