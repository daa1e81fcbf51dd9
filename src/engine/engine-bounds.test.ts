import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { EngineFixture, until } from "../../test/support/engine-fixture.js";
import { ScriptedRuntimeDriver } from "../../test/support/scripted-driver.js";
import type { ServiceStatus } from "../domain/service-record.js";
import type { DeploymentStep, RuntimeDriver } from "../runtime/driver.js";
import type { ArtifactStep } from "./artifact/types.js";
import type { OperationStatus, OperationType } from "../store/operations.js";
import { STEP_BOUNDS_MS } from "./step-bounds.js";

const D0 = "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0";
const MIN = 60_000;

interface Case {
  type: OperationType;
  serving: string | null;
  /** The driver step (or the artifact phase's resolve) that never returns, and the steps it announced first. */
  hangs: keyof RuntimeDriver | "artifact";
  announced?: DeploymentStep[] | ArtifactStep[];
  /** How far the clock moves: past the bound of the step it hangs in. */
  advanceMs: number;
  reason: string;
  opStatus: OperationStatus;
  serviceStatus: ServiceStatus;
  calls: string[];
}

const TABLE: Case[] = [
  {
    type: "CREATE_SERVICE", serving: null, hangs: "deploy", advanceMs: 15 * MIN + 1,
    reason: "Preparing the deployment did not finish within 15 minutes.", opStatus: "FAILED", serviceStatus: "CREATE_FAILED", calls: ["deploy", "retire"],
  },
  {
    type: "UPDATE_SERVICE", serving: D0, hangs: "artifact", announced: ["source", "runtime", "build", "import"], advanceMs: 10 * MIN + 1,
    reason: "Importing the built image did not finish within 10 minutes.", opStatus: "ROLLBACK_SUCCEEDED", serviceStatus: "RUNNING", calls: ["retire", "shiftTraffic"],
  },
  {
    type: "START_DEPLOYMENT", serving: D0, hangs: "deploy", announced: ["pull", "start"], advanceMs: 3 * MIN + 1,
    reason: "Starting the instances did not finish within 3 minutes.", opStatus: "ROLLBACK_SUCCEEDED", serviceStatus: "RUNNING", calls: ["deploy", "retire", "shiftTraffic"],
  },
  {
    type: "UPDATE_SERVICE", serving: D0, hangs: "waitHealthy", advanceMs: 10 * MIN + 1,
    reason: "Waiting for the instances to pass their health checks did not finish within 10 minutes.", opStatus: "ROLLBACK_SUCCEEDED", serviceStatus: "RUNNING",
    calls: ["deploy", "waitHealthy", "retire", "shiftTraffic"],
  },
  {
    type: "DELETE_SERVICE", serving: D0, hangs: "delete", advanceMs: 5 * MIN + 1,
    reason: "Removing the service's instances did not finish within 5 minutes.", opStatus: "FAILED", serviceStatus: "DELETE_FAILED", calls: ["delete"],
  },
];

describe("Engine: a phase that never ends fails its operation with the reason, by the injected clock", () => {
  let fx: EngineFixture;
  beforeEach(() => {
    fx = new EngineFixture();
  });
  afterEach(async () => fx.close());

  for (const c of TABLE) {
    it(`${c.type}, ${c.hangs} hangs${c.announced ? ` in ${c.announced.at(-1)}` : ""} -> ${c.opStatus}: ${c.reason}`, async () => {
      const driver = new ScriptedRuntimeDriver();
      if (c.hangs === "artifact") driver.artifactSteps = (c.announced ?? []) as ArtifactStep[];
      else driver.deploySteps = (c.announced ?? []) as DeploymentStep[];
      const release = driver.hold(c.hangs);
      const s = fx.service("OPERATION_IN_PROGRESS", c.serving);
      const op = fx.operation(s, c.type);
      const engine = fx.engine(driver, { boundCheckMs: 5 });
      engine.start();
      await until(() => (c.hangs === "artifact" ? driver.requests.length > 0 : driver.calls.some((call) => call.startsWith(`${c.hangs}:`))));

      // Just inside the bound, nothing happens; just past it, the operation fails.
      fx.clock.advance(c.advanceMs - 2);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(fx.op(op.id).endedAt, null, "still within its bound");
      fx.clock.advance(2);
      await engine.idle();

      const done = fx.op(op.id);
      assert.equal(done.status, c.opStatus);
      assert.equal(done.state.error, c.reason);
      assert.equal(fx.current(s).status, c.serviceStatus);
      assert.deepEqual(driver.calls.map((call) => call.split(":")[0]), c.calls);
      const log = fx.deploymentLog(s, op.id);
      assert.ok(log.includes(`[AppRunner] ${c.reason}`), log.join("\n"));
      if (c.type !== "DELETE_SERVICE") assert.equal(log.at(-1), `[AppRunner] Deployment with ID : ${op.id} failed. Failure reason : ${c.reason}`);

      // What the abandoned step does afterwards cannot move the operation again.
      release();
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(fx.op(op.id), done);
    });
  }

  it("each announced step gets its own bound from when it starts", async () => {
    const driver = new ScriptedRuntimeDriver();
    driver.artifactSteps = ["pull"];
    driver.hold("artifact");
    const s = fx.service();
    const op = fx.operation(s, "CREATE_SERVICE");
    const engine = fx.engine(driver, { boundCheckMs: 5 });
    engine.start();
    await until(() => driver.requests.length > 0);
    // Longer than starting instances may take, shorter than a pull may: still pulling.
    fx.clock.advance(STEP_BOUNDS_MS.start + 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(fx.op(op.id).status, "IN_PROGRESS");
    fx.clock.advance(STEP_BOUNDS_MS.pull);
    await engine.idle();
    assert.equal(fx.op(op.id).state.error, "Pulling the image did not finish within 15 minutes.");
  });
});
