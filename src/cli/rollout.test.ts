import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rolloutLines } from "./rollout.js";

describe("openrunner rollout's output", () => {
  it("says when there was none", () => assert.deepEqual(rolloutLines(undefined), ["The service has had no gradual rollout."]));

  it("shows the status, settings, each step's numbers and the reason", () => {
    const lines = rolloutLines({
      OperationId: "op1",
      DeploymentId: "new",
      PreviousDeploymentId: "old",
      Status: "ABORTED",
      Percent: 0,
      Settings: { Steps: [10, 50], IntervalSeconds: 60, Max5xxPercent: 1, MaxP99Millis: 2000, WindowSeconds: 60, MinRequests: 20 },
      Steps: [{ Percent: 10, StartedAt: 0, EndedAt: 30, Requests: 40, Errors5xx: 5, P99Millis: 12 }],
      Reason: "Gradual rollout aborted: too many 5xx",
      StartedAt: 0,
      EndedAt: 30,
    });
    assert.equal(lines[1], "Status: ABORTED, 0% of new clients to the new deployment; started 1970-01-01 00:00:00, ended 1970-01-01 00:00:30");
    assert.equal(lines[2], "Settings: steps=10/50 interval=60s max-5xx=1 max-p99=2000ms window=60s min-requests=20");
    assert.match(lines[4] ?? "", /^1 +10% +1970-01-01 00:00:00 +40 +5 +12 ms$/);
    assert.equal(lines.at(-1), "Reason: Gradual rollout aborted: too many 5xx");
  });
});
