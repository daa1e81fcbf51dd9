import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deploymentsToDrop, rollbackTarget, RETAINED_DEPLOYMENTS, type RetainedDeployment } from "./deployment-history.js";

const ids = (n: number): { deploymentId: string }[] => Array.from({ length: n }, (_, i) => ({ deploymentId: `d${n - i}` }));

describe("deploymentsToDrop: the last N successful deployments are retained, and the serving one whatever its age", () => {
  const cases: { name: string; newestFirst: { deploymentId: string }[]; current: string | undefined; keep?: number; drop: string[] }[] = [
    { name: "fewer than N: nothing dropped", newestFirst: ids(3), current: "d3", drop: [] },
    { name: "exactly N: nothing dropped", newestFirst: ids(RETAINED_DEPLOYMENTS), current: `d${RETAINED_DEPLOYMENTS}`, drop: [] },
    { name: "N + 2: the two oldest dropped", newestFirst: ids(RETAINED_DEPLOYMENTS + 2), current: `d${RETAINED_DEPLOYMENTS + 2}`, drop: ["d2", "d1"] },
    { name: "the serving one past N (rolled back to) is kept", newestFirst: ids(5), current: "d1", keep: 3, drop: ["d2"] },
    { name: "keep 1 with nothing serving", newestFirst: ids(3), current: undefined, keep: 1, drop: ["d2", "d1"] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(deploymentsToDrop(c.newestFirst, c.current, c.keep), c.drop));
  }
});

const retained = (id: string): RetainedDeployment => ({
  deploymentId: id,
  completedAt: 0,
  imageDigest: `sha256:${id.padEnd(64, "0")}`,
  manifestDigest: `sha256:${id.padEnd(64, "0")}`,
  imageIdentifier: `r/app:${id}`,
  snapshot: { configuration: { SourceConfiguration: {}, InstanceConfiguration: {}, NetworkConfiguration: {} } },
});

describe("rollbackTarget: which retained deployment a rollback deploys", () => {
  const list = ["d3", "d2", "d1"].map(retained);
  const cases: { name: string; current: string | undefined; requested?: string; target?: string; error?: string }[] = [
    { name: "default: the one before the serving one", current: "d3", target: "d2" },
    { name: "default after a rollback to d1 (d1 serves, newest is d3): the newest that is not serving", current: "d1", target: "d3" },
    { name: "default with nothing serving recognised: the newest", current: undefined, target: "d3" },
    { name: "a named one", current: "d3", requested: "d1", target: "d1" },
    { name: "an unknown one: ResourceNotFound", current: "d3", requested: "zz", error: "ResourceNotFound" },
    { name: "the serving one: InvalidState", current: "d3", requested: "d3", error: "InvalidState" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.error) {
        assert.throws(() => rollbackTarget(list, c.current, c.requested), { code: c.error });
        return;
      }
      assert.equal(rollbackTarget(list, c.current, c.requested).deploymentId, c.target);
    });
  }
  it("a service with only its serving deployment has nothing to roll back to: ResourceNotFound", () => {
    assert.throws(() => rollbackTarget([retained("d1")], "d1"), { code: "ResourceNotFound" });
    assert.throws(() => rollbackTarget([], undefined), { code: "ResourceNotFound" });
  });
});
