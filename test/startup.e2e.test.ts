import assert from "node:assert/strict";
import { readdirSync, readlinkSync } from "node:fs";
import { describe, it } from "node:test";
import { startOpenRunner } from "../src/server.js";
import { startInProcess, tempDataDir } from "./support/harness.js";

/** Files under `dir` that this process still holds open. */
function openFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) out.push(target);
    } catch {
      // the descriptor closed while we listed them (readdir's own, for one)
    }
  }
  return out;
}

describe("start-up", () => {
  it("closes every database it opened when it cannot start (port in use)", async () => {
    const first = await startInProcess();
    const data = tempDataDir();
    try {
      await assert.rejects(
        startOpenRunner({ dataDir: data.dir, port: first.running.port, logger: () => undefined }),
        /EADDRINUSE/,
      );
      assert.deepEqual(openFilesUnder(data.dir), []);
    } finally {
      data.remove();
      await first.close();
    }
  });
});
