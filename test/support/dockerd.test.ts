import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { dockerdSkipReason, startPrivateDockerd } from "./dockerd.js";
import { cgroupRoots } from "./test-cgroups.js";

describe("private dockerd for tests", { skip: dockerdSkipReason() }, () => {
  it("starts a single-node swarm on 127.0.0.1 and leaves nothing behind", async () => {
    const d = await startPrivateDockerd({ swarm: true });
    try {
      const info = await d.api.call<{ Swarm: { LocalNodeState: string; NodeAddr: string } }>({ path: "/info" });
      assert.equal(info.Swarm.LocalNodeState, "active");
      assert.equal(info.Swarm.NodeAddr, "127.0.0.1");
    } finally {
      await d.stop();
    }
    assert.equal(existsSync(d.dir), false);
    assert.equal(existsSync("/sys/class/net/docker_gwbridge"), false);
    assert.deepEqual(cgroupRoots().filter((c) => d.dir.endsWith(c.hex)), [], "its --cgroup-parent is gone from every hierarchy");
    assert.throws(() => process.kill(d.pid, 0));
  });
});
