import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { EngineFixture, until } from "../../test/support/engine-fixture.js";
import { ScriptedRuntimeDriver } from "../../test/support/scripted-driver.js";
import { rolloutWire } from "../api/openrunner/describe-rollout.js";
import { GRADUAL_ROLLOUT_TAG } from "../domain/gradual-rollout.js";
import { rolloutRecordOf, type RolloutRecord } from "../domain/gradual-rollout-record.js";
import type { ServiceRow } from "../domain/service-record.js";
import type { VersionMeasurement } from "../router/types.js";
import type { DeploymentRef, DriverContext } from "../runtime/driver.js";
import type { Engine } from "./engine.js";

/** The scripted driver with a split: records each percent, answers measurements a test sets. */
class SplittingDriver extends ScriptedRuntimeDriver {
  measurement: VersionMeasurement = { requests: 100, errors5xx: 0, p99Ms: 20 };
  async splitTraffic(ref: DeploymentRef, percent: number, ctx: DriverContext): Promise<void> {
    this.calls.push(`splitTraffic:${ref.deploymentId}:${percent}`);
    ctx.log(`scripted split ${percent}`);
  }
  async measureSplit(): Promise<VersionMeasurement> {
    return this.measurement;
  }
}

describe("Engine: the gradual rollout phase", () => {
  let fx: EngineFixture;
  let driver: SplittingDriver;
  let engine: Engine;
  beforeEach(() => {
    fx = new EngineFixture();
    driver = new SplittingDriver();
    engine = fx.engine(driver);
    engine.start();
  });
  afterEach(async () => fx.close());

  /** A RUNNING service serving deployment "old", with the rollout tag, and a START_DEPLOYMENT of it. */
  function rollingOut(tag = "steps=10/50 interval=10s window=10s min-requests=20 max-5xx=1"): { s: ServiceRow; opId: string } {
    const s = fx.service("OPERATION_IN_PROGRESS", "old");
    driver.serving.set(s.doc.ServiceId ?? "", "old");
    fx.store.tags.put(s.arn, [{ Key: GRADUAL_ROLLOUT_TAG, Value: tag }]);
    const opId = fx.operation(s, "START_DEPLOYMENT").id;
    engine.notify();
    return { s, opId };
  }
  const splits = () => driver.calls.filter((c) => c.startsWith("splitTraffic")).map((c) => Number(c.split(":")[2]));
  const recordOf = (opId: string): RolloutRecord | undefined => rolloutRecordOf(fx.op(opId).state.rollout);

  it("takes each step after its interval, then promotes: switch and retire as any deployment; each step in the log", async () => {
    const { s, opId } = rollingOut();
    await until(() => splits().length === 1);
    assert.deepEqual(splits(), [10]);
    assert.equal(driver.calls.some((c) => c.startsWith("shiftTraffic")), false, "no switch during a step");
    fx.clock.advance(10_000);
    await until(() => splits().length === 2);
    assert.deepEqual(splits(), [10, 50]);
    fx.clock.advance(10_000);
    await engine.idle();
    assert.equal(fx.op(opId).status, "SUCCEEDED");
    const id = fx.op(opId).state.deploymentId ?? "";
    assert.deepEqual(driver.calls.slice(-2), [`shiftTraffic:${id}`, "retire:old"]);
    const r = recordOf(opId);
    assert.equal(r?.status, "PROMOTED");
    assert.deepEqual(r?.steps.map((x) => [x.percent, x.requests]), [[10, 100], [50, 100]]);
    const log = fx.deploymentLog(s, opId).join("\n");
    // Named as ListServiceDeployments and RollbackService name deployments: by their operation.
    assert.match(log, new RegExp(`Gradual rollout: 10% of traffic to deployment ${opId} \\(step 1 of 2\\)\\.`));
    assert.match(log, new RegExp(`Gradual rollout: 50% of traffic to deployment ${opId} \\(step 2 of 2\\)\\.`));
    assert.match(log, new RegExp(`Gradual rollout: deployment ${opId} promoted to 100% of traffic after 2 steps`));
    const wire = rolloutWire(fx.op(opId), r ?? ({} as RolloutRecord), "previous-operation");
    assert.deepEqual([wire.OperationId, wire.DeploymentId, wire.PreviousDeploymentId], [opId, opId, "previous-operation"]);
  });

  it("aborts on the 5xx rate: every client back at once, the new version retired, ROLLBACK_SUCCEEDED, the threshold and value said", async () => {
    driver.measurement = { requests: 40, errors5xx: 5, p99Ms: 20 };
    const { s, opId } = rollingOut();
    await engine.idle();
    const id = fx.op(opId).state.deploymentId ?? "";
    assert.equal(fx.op(opId).status, "ROLLBACK_SUCCEEDED");
    assert.equal(fx.current(s).status, "RUNNING");
    assert.deepEqual(splits(), [10, 0]);
    const after = driver.calls.slice(driver.calls.indexOf(`splitTraffic:${id}:0`));
    assert.deepEqual(after, [`splitTraffic:${id}:0`, `retire:${id}`, "shiftTraffic:old"]);
    const r = recordOf(opId);
    assert.equal(r?.status, "ABORTED");
    assert.match(r?.reason ?? "", /12\.5% of the new deployment's 40 responses were 5xx, above max-5xx 1% \(threshold max-5xx\)/);
    assert.match(fx.deploymentLog(s, opId).join("\n"), /Gradual rollout aborted: 12\.5% /);
    const wire = rolloutWire(fx.op(opId), r ?? ({} as RolloutRecord), "old");
    assert.deepEqual([wire.Status, wire.Percent, wire.Steps[0]?.Errors5xx], ["ABORTED", 0, 5]);
  });

  it("aborts on p99 once the window holds min-requests responses, not before", async () => {
    driver.measurement = { requests: 19, errors5xx: 0, p99Ms: 5000 };
    const { opId } = rollingOut("steps=10 interval=10s max-p99=1s min-requests=20");
    await until(() => splits().length === 1);
    assert.equal(fx.op(opId).status, "IN_PROGRESS");
    driver.measurement = { requests: 20, errors5xx: 0, p99Ms: 5000 };
    await engine.idle();
    assert.equal(fx.op(opId).status, "ROLLBACK_SUCCEEDED");
    assert.match(recordOf(opId)?.reason ?? "", /p99 latency was 5000 ms over 20 responses, above max-p99 1000 ms/);
  });

  it("a creation and a service without the tag deploy all at once", async () => {
    const s = fx.service();
    fx.store.tags.put(s.arn, [{ Key: GRADUAL_ROLLOUT_TAG, Value: "true" }]);
    const create = fx.operation(s, "CREATE_SERVICE").id;
    engine.notify();
    await engine.idle();
    assert.equal(fx.op(create).status, "SUCCEEDED");
    const plain = fx.service("OPERATION_IN_PROGRESS", "old");
    const update = fx.operation(plain, "START_DEPLOYMENT").id;
    engine.notify();
    await engine.idle();
    assert.equal(fx.op(update).status, "SUCCEEDED");
    assert.deepEqual(splits(), []);
    assert.equal(recordOf(update), undefined);
  });

  it("a delete mid-rollout cancels it like any operation: DescribeRollout says FAILED with the reason", async () => {
    const { s, opId } = rollingOut();
    await until(() => splits().length === 1);
    fx.store.resources.update({ ...fx.current(s), status: "OPERATION_IN_PROGRESS" });
    fx.operation(s, "DELETE_SERVICE");
    engine.notify();
    await engine.idle();
    assert.equal(fx.op(opId).status, "FAILED");
    const r = recordOf(opId);
    const wire = rolloutWire(fx.op(opId), r ?? ({} as RolloutRecord), "old");
    assert.equal(wire.Status, "FAILED");
    assert.match(wire.Reason ?? "", /deleted/);
  });

  it("resumes at the step it was in after a restart (the split is set again: drivers keep it in memory)", async () => {
    const { opId } = rollingOut();
    await until(() => splits().length === 1);
    fx.clock.advance(10_000);
    await until(() => splits().length === 2);
    await engine.stop();
    const again = new SplittingDriver();
    again.serving = driver.serving;
    driver = again;
    engine = fx.engine(driver);
    engine.start();
    await until(() => splits().length === 1);
    assert.deepEqual(splits(), [50]);
    fx.clock.advance(10_000);
    await engine.idle();
    assert.equal(fx.op(opId).status, "SUCCEEDED");
  });
});
