import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { exitMessage, isAlive } from "./exit-reason.js";

describe("exitMessage", () => {
  const MB = 1024 * 1024;
  const table: [Parameters<typeof exitMessage>[1], string][] = [
    [{ status: "stopped", exitCode: 3, oomKilled: false }, "Instance i exited with code 3."],
    [{ status: "stopped", exitCode: 137, oomKilled: false }, "Instance i exited with code 137 (signal 9)."],
    [{ status: "stopped", exitCode: 137, oomKilled: true }, "Instance i ran out of memory and was stopped: the kernel killed it at its 512 MB limit (OOM)."],
    [{ status: "stopped", exitCode: null, oomKilled: false }, "Instance i stopped; its exit code is unknown."],
    [{ status: "missing" }, "Instance i disappeared: its container no longer exists."],
  ];
  for (const [state, expected] of table) it(expected, () => assert.equal(exitMessage("i", state, 512 * MB), expected));
});

describe("isAlive", () => {
  it("knows this process and not an impossible pid", () => {
    assert.equal(isAlive(process.pid), true);
    assert.equal(isAlive(0), false);
    assert.equal(isAlive(2 ** 22 + 1), false);
  });
});
