import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { EngineFixture, until } from "../../test/support/engine-fixture.js";
import { ScriptedRuntimeDriver } from "../../test/support/scripted-driver.js";
import type { ServiceRow, ServiceStatus } from "../domain/service-record.js";
import type { RuntimeDriver } from "../runtime/driver.js";
import type { OperationRow, OperationStatus, OperationType } from "../store/operations.js";
import { CANCELLED_BY_DELETE } from "./reconcilers/types.js";

const D0 = "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0";

interface Case {
  type: OperationType;
  /** The deployment serving before the operation (null: nothing ever ran). */
  serving: string | null;
  fails?: keyof RuntimeDriver;
  opStatus: OperationStatus;
  serviceStatus: ServiceStatus;
  events: string[];
  /** The driver steps the engine called, in order (blue/green and rollback). */
  calls: string[];
}

const ok = (prefix: string): string[] => [`${prefix}Started`, `${prefix}CompletedSuccessfully`];
const failed = (prefix: string): string[] => [`${prefix}Started`, `${prefix}Failed`];

const TABLE: Case[] = [
  { type: "CREATE_SERVICE", serving: null, opStatus: "SUCCEEDED", serviceStatus: "RUNNING", events: ok("CreateService"), calls: ["deploy", "waitHealthy", "shiftTraffic"] },
  { type: "CREATE_SERVICE", serving: null, fails: "deploy", opStatus: "FAILED", serviceStatus: "CREATE_FAILED", events: failed("CreateService"), calls: ["deploy", "retire"] },
  { type: "CREATE_SERVICE", serving: null, fails: "waitHealthy", opStatus: "FAILED", serviceStatus: "CREATE_FAILED", events: failed("CreateService"), calls: ["deploy", "waitHealthy", "retire"] },
  { type: "CREATE_SERVICE", serving: null, fails: "shiftTraffic", opStatus: "FAILED", serviceStatus: "CREATE_FAILED", events: failed("CreateService"), calls: ["deploy", "waitHealthy", "shiftTraffic", "retire"] },
  { type: "UPDATE_SERVICE", serving: D0, opStatus: "SUCCEEDED", serviceStatus: "RUNNING", events: ok("UpdateService"), calls: ["deploy", "waitHealthy", "shiftTraffic", "retire"] },
  { type: "UPDATE_SERVICE", serving: D0, fails: "deploy", opStatus: "ROLLBACK_SUCCEEDED", serviceStatus: "RUNNING", events: failed("UpdateService"), calls: ["deploy", "retire", "shiftTraffic"] },
  { type: "UPDATE_SERVICE", serving: D0, fails: "waitHealthy", opStatus: "ROLLBACK_SUCCEEDED", serviceStatus: "RUNNING", events: failed("UpdateService"), calls: ["deploy", "waitHealthy", "retire", "shiftTraffic"] },
  { type: "UPDATE_SERVICE", serving: D0, fails: "shiftTraffic", opStatus: "ROLLBACK_SUCCEEDED", serviceStatus: "RUNNING", events: failed("UpdateService"), calls: ["deploy", "waitHealthy", "shiftTraffic", "retire", "shiftTraffic"] },
  // The new version already serves: a leftover old instance is logged, not a failed update.
  { type: "UPDATE_SERVICE", serving: D0, fails: "retire", opStatus: "SUCCEEDED", serviceStatus: "RUNNING", events: ok("UpdateService"), calls: ["deploy", "waitHealthy", "shiftTraffic", "retire"] },
  // An update of a service whose creation failed has nothing to roll back to.
  { type: "UPDATE_SERVICE", serving: null, fails: "waitHealthy", opStatus: "FAILED", serviceStatus: "CREATE_FAILED", events: failed("UpdateService"), calls: ["deploy", "waitHealthy", "retire"] },
  { type: "START_DEPLOYMENT", serving: D0, opStatus: "SUCCEEDED", serviceStatus: "RUNNING", events: ok("Deployment"), calls: ["deploy", "waitHealthy", "shiftTraffic", "retire"] },
  { type: "START_DEPLOYMENT", serving: D0, fails: "waitHealthy", opStatus: "ROLLBACK_SUCCEEDED", serviceStatus: "RUNNING", events: failed("Deployment"), calls: ["deploy", "waitHealthy", "retire", "shiftTraffic"] },
  { type: "RESUME_SERVICE", serving: D0, opStatus: "SUCCEEDED", serviceStatus: "RUNNING", events: ok("ResumeService"), calls: ["deploy", "waitHealthy", "shiftTraffic", "retire"] },
  { type: "RESUME_SERVICE", serving: D0, fails: "deploy", opStatus: "FAILED", serviceStatus: "PAUSED", events: failed("ResumeService"), calls: ["deploy", "retire"] },
  { type: "RESUME_SERVICE", serving: D0, fails: "shiftTraffic", opStatus: "FAILED", serviceStatus: "PAUSED", events: failed("ResumeService"), calls: ["deploy", "waitHealthy", "shiftTraffic", "retire"] },
  { type: "PAUSE_SERVICE", serving: D0, opStatus: "SUCCEEDED", serviceStatus: "PAUSED", events: ok("PauseService"), calls: ["pause"] },
  { type: "PAUSE_SERVICE", serving: D0, fails: "pause", opStatus: "FAILED", serviceStatus: "RUNNING", events: failed("PauseService"), calls: ["pause"] },
  { type: "DELETE_SERVICE", serving: D0, opStatus: "SUCCEEDED", serviceStatus: "DELETED", events: ok("DeleteService"), calls: ["delete"] },
  { type: "DELETE_SERVICE", serving: D0, fails: "delete", opStatus: "FAILED", serviceStatus: "DELETE_FAILED", events: failed("DeleteService"), calls: ["delete"] },
];

describe("Engine: each operation type, with each driver step failing", () => {
  let fx: EngineFixture;
  beforeEach(() => {
    fx = new EngineFixture();
  });
  afterEach(async () => fx.close());

  for (const c of TABLE) {
    it(`${c.type}, ${c.fails ? `${c.fails} fails` : "nothing fails"} -> ${c.opStatus}, ${c.serviceStatus}`, async () => {
      const driver = new ScriptedRuntimeDriver();
      driver.failNext = c.fails;
      const s = fx.service("OPERATION_IN_PROGRESS", c.serving);
      const op = fx.operation(s, c.type);
      const engine = fx.engine(driver);
      engine.start();
      await engine.idle();

      const done = fx.op(op.id);
      assert.equal(done.status, c.opStatus);
      assert.equal(done.state.phase, "done");
      assert.notEqual(done.endedAt, null);
      if (c.fails && c.opStatus !== "SUCCEEDED") assert.equal(done.state.error, `scripted failure in ${c.fails}`);
      assert.equal(fx.current(s).status, c.serviceStatus);
      assert.equal(fx.current(s).doc.Status, c.serviceStatus);
      assert.deepEqual(
        driver.calls.map((call) => call.split(":")[0]),
        c.calls,
      );

      const opEvents = fx.events(s, "AppRunner Service Operation Status Change");
      assert.deepEqual(fx.operationStatuses(s), c.events);
      for (const e of opEvents) {
        assert.equal(e.detail.Severity, String(e.detail.Status).endsWith("Failed") ? "ERROR" : "INFO");
        assert.equal(e.detail.ServiceName, s.name);
        assert.equal(e.source, "aws.apprunner");
        assert.equal(e.account, "123456789012");
      }
      const statusEvents = fx.events(s, "AppRunner Service Status Change").map((e) => e.detail);
      assert.equal(statusEvents.length, 1);
      assert.deepEqual(statusEvents[0], {
        PreviousStatus: "OPERATION_IN_PROGRESS",
        CurrentStatus: c.serviceStatus,
        ServiceName: s.name,
        ServiceId: s.doc.ServiceId,
        Message: `Service status is set to ${c.serviceStatus}.`,
        Severity: c.serviceStatus.endsWith("_FAILED") ? "ERROR" : "INFO",
      });
    });
  }
});

describe("Engine: durability and edge cases", () => {
  let fx: EngineFixture;
  beforeEach(() => {
    fx = new EngineFixture();
  });
  afterEach(async () => fx.close());

  it("records why a deployment failed in the operation's deployment log", async () => {
    const driver = new ScriptedRuntimeDriver();
    driver.failNext = "waitHealthy";
    const s = fx.service();
    const op = fx.operation(s, "CREATE_SERVICE");
    const engine = fx.engine(driver);
    engine.start();
    await engine.idle();
    const log = fx.deploymentLog(s, op.id);
    assert.match(log[0] ?? "", new RegExp(`^\\[AppRunner\\] Deployment with ID : ${op.id} started\\. Triggering event : SERVICE_CREATE$`));
    assert.ok(log.includes("[AppRunner] Deployment Artifact: [Repo Type: ECR_PUBLIC], [Image URL: 127.0.0.1:5000/hello:latest]"));
    assert.equal(log.at(-1), `[AppRunner] Deployment with ID : ${op.id} failed. Failure reason : scripted failure in waitHealthy`);
  });

  it("restores the previous configuration when an update rolls back", async () => {
    const driver = new ScriptedRuntimeDriver();
    driver.failNext = "waitHealthy";
    const s = fx.service("OPERATION_IN_PROGRESS", D0);
    s.doc = { ...s.doc, InstanceConfiguration: { Cpu: "2048", Memory: "4096" } };
    fx.store.resources.update(s);
    const op = fx.operation(s, "UPDATE_SERVICE", "PENDING", { request: { previous: { InstanceConfiguration: { Cpu: "1024", Memory: "2048" } } } });
    const engine = fx.engine(driver);
    engine.start();
    await engine.idle();
    assert.equal(fx.op(op.id).status, "ROLLBACK_SUCCEEDED");
    assert.deepEqual(fx.current(s).doc.InstanceConfiguration, { Cpu: "1024", Memory: "2048" });
    assert.equal(fx.current(s).internal.currentDeploymentId, D0, "the old version still serves");
  });

  /** A create the process died in at `phase`, run to its end by a new engine. */
  async function afterCrashAt(phase: string, deploymentId: string): Promise<{ driver: ScriptedRuntimeDriver; s: ServiceRow; op: OperationRow }> {
    const driver = new ScriptedRuntimeDriver();
    const s = fx.service();
    const op = fx.operation(s, "CREATE_SERVICE", "IN_PROGRESS", { phase, deploymentId, previousDeploymentId: null });
    const engine = fx.engine(driver);
    engine.start();
    await engine.idle();
    return { driver, s, op };
  }

  it("resolves the artifact again and finishes when the process died in the artifact phase", async () => {
    const { driver, s, op } = await afterCrashAt("artifact", "dd12");
    assert.equal(fx.op(op.id).status, "SUCCEEDED");
    assert.deepEqual(driver.requests.map((r) => r.deploymentId), ["dd12"]);
    assert.deepEqual(driver.calls, ["deploy:dd12", "waitHealthy:dd12", "shiftTraffic:dd12"]);
    assert.equal(fx.op(op.id).state.artifact?.digest, driver.specs[0]?.image.digest, "the driver runs what the operation recorded");
    assert.equal(fx.current(s).internal.currentImageDigest, fx.op(op.id).state.artifact?.digest);
  });

  it("a failed artifact never reaches the driver's deploy: the new deployment is retired and the old keeps serving", async () => {
    const driver = new ScriptedRuntimeDriver();
    const s = fx.service("OPERATION_IN_PROGRESS", D0);
    const op = fx.operation(s, "UPDATE_SERVICE");
    const engine = fx.engine(driver, {}, {
      ...driver.artifacts,
      resolve: () => Promise.reject(new Error("the build failed: npm ci exited with code 1")),
    });
    engine.start();
    await engine.idle();
    assert.equal(fx.op(op.id).status, "ROLLBACK_SUCCEEDED");
    assert.equal(fx.op(op.id).state.artifact, undefined);
    assert.deepEqual(driver.calls.map((c) => c.split(":")[0]), ["retire", "shiftTraffic"]);
    assert.equal(fx.deploymentLog(s, op.id).at(-1), `[AppRunner] Deployment with ID : ${op.id} failed. Failure reason : the build failed: npm ci exited with code 1`);
  });

  it("records the artifact on the operation before the image's hold against prune ends", async () => {
    const driver = new ScriptedRuntimeDriver();
    const s = fx.service();
    const op = fx.operation(s, "CREATE_SERVICE");
    const recordedWhenReleased: (string | undefined)[] = [];
    const engine = fx.engine(driver, {}, {
      ...driver.artifacts,
      hold: async (fn) => {
        try {
          return await fn();
        } finally {
          recordedWhenReleased.push(fx.op(op.id).state.artifact?.digest);
        }
      },
    });
    engine.start();
    await engine.idle();
    assert.equal(fx.op(op.id).status, "SUCCEEDED");
    assert.equal(recordedWhenReleased.length, 1, "one hold, for the artifact phase");
    assert.match(recordedWhenReleased[0] ?? "", /^sha256:/, "the operation names the image before a prune may run");
  });

  it("finishes an operation that was IN_PROGRESS at phase deploy when the process died", async () => {
    const { driver, s, op } = await afterCrashAt("deploy", "dd11");
    assert.equal(fx.op(op.id).status, "SUCCEEDED");
    assert.equal(fx.current(s).status, "RUNNING");
    assert.equal(fx.current(s).internal.currentDeploymentId, "dd11", "the deployment id chosen before the crash is kept");
    assert.deepEqual(driver.calls, ["deploy:dd11", "waitHealthy:dd11", "shiftTraffic:dd11"]);
    // "Started" was written before the crash, with the phase; it is not repeated.
    assert.deepEqual(fx.operationStatuses(s), ["CreateServiceCompletedSuccessfully"]);
  });

  it("records the deployed image digest; resume deploys exactly that digest, other deployments resolve again", async () => {
    const driver = new ScriptedRuntimeDriver();
    const s = fx.service();
    fx.operation(s, "CREATE_SERVICE");
    const engine = fx.engine(driver);
    engine.start();
    await engine.idle();
    const digest = fx.current(s).internal.currentImageDigest;
    assert.match(digest ?? "", /^sha256:/);
    assert.equal(driver.requests[0]?.pinnedDigest, undefined, "a create resolves the tag");
    assert.equal(driver.specs[0]?.image.digest, digest, "the driver runs the digest the artifact phase resolved");
    fx.operation(s, "PAUSE_SERVICE");
    fx.operation(s, "RESUME_SERVICE");
    fx.operation(s, "START_DEPLOYMENT", "PENDING", { trigger: "IMAGE_UPDATE" });
    engine.notify();
    await engine.idle();
    assert.equal(driver.requests[1]?.pinnedDigest, digest, "resume pins the digest that ran before the pause");
    assert.equal(driver.specs[1]?.image.digest, digest, "resume runs the digest that ran before the pause");
    assert.equal(driver.requests[2]?.pinnedDigest, undefined, "a new deployment resolves the tag again");
    const last = fx.store.operations.listForService(s.arn, undefined, 1).at(0);
    assert.match(fx.deploymentLog(s, last?.id ?? "")[0] ?? "", /Triggering event : IMAGE_UPDATE$/);
  });

  it("resumes where a stopped engine left off, on a new engine over the same store", async () => {
    const first = new ScriptedRuntimeDriver();
    const s = fx.service();
    const op = fx.operation(s, "CREATE_SERVICE");
    const slow = fx.engine(first, { stepDelayMs: 20 });
    slow.start();
    await until(() => fx.op(op.id).status === "IN_PROGRESS");
    await slow.stop();
    const stoppedAt = fx.op(op.id);
    assert.ok(["IN_PROGRESS", "SUCCEEDED"].includes(stoppedAt.status));

    const second = new ScriptedRuntimeDriver();
    const engine = fx.engine(second);
    engine.start();
    await engine.idle();
    assert.equal(fx.op(op.id).status, "SUCCEEDED");
    assert.equal(fx.current(s).status, "RUNNING");
    assert.deepEqual(fx.operationStatuses(s), ["CreateServiceStarted", "CreateServiceCompletedSuccessfully"]);
    // A graceful stop waits for phase boundaries, so each step ran exactly once across both engines.
    const steps = [...first.calls, ...second.calls].map((c) => c.split(":")[0]);
    assert.deepEqual(steps, ["deploy", "waitHealthy", "shiftTraffic"]);
  });

  // A phase this version does not know (say, written by a newer one) takes the failure path.
  const UNKNOWN: { type: OperationType; serving: string | null; opStatus: OperationStatus; serviceStatus: ServiceStatus }[] = [
    { type: "CREATE_SERVICE", serving: null, opStatus: "FAILED", serviceStatus: "CREATE_FAILED" },
    { type: "UPDATE_SERVICE", serving: D0, opStatus: "ROLLBACK_SUCCEEDED", serviceStatus: "RUNNING" },
    { type: "PAUSE_SERVICE", serving: D0, opStatus: "FAILED", serviceStatus: "RUNNING" },
    { type: "DELETE_SERVICE", serving: D0, opStatus: "FAILED", serviceStatus: "DELETE_FAILED" },
  ];
  for (const c of UNKNOWN) {
    it(`ends a ${c.type} at a phase it does not know ${c.opStatus} instead of hanging`, async () => {
      const s = fx.service("OPERATION_IN_PROGRESS", c.serving);
      const op = fx.operation(s, c.type, "IN_PROGRESS", { phase: "teleport", deploymentId: "dd22", previousDeploymentId: c.serving });
      const engine = fx.engine(new ScriptedRuntimeDriver());
      engine.start();
      await engine.idle();
      const done = fx.op(op.id);
      assert.equal(done.status, c.opStatus);
      assert.equal(done.state.error, "Unknown phase teleport");
      assert.equal(fx.current(s).status, c.serviceStatus);
      assert.ok(fx.logged.includes("operation has an unknown phase; failing it"));
    });
  }

  it("cancels a running deployment when the service is deleted, then deletes", async () => {
    const driver = new ScriptedRuntimeDriver();
    driver.hold();
    const s = fx.service();
    const create = fx.operation(s, "CREATE_SERVICE");
    const engine = fx.engine(driver);
    engine.start();
    await until(() => driver.calls.length > 0);
    const del = fx.operation(s, "DELETE_SERVICE");
    engine.notify();
    await engine.idle();
    assert.equal(fx.op(create.id).status, "FAILED");
    assert.equal(fx.op(create.id).state.error, CANCELLED_BY_DELETE);
    assert.equal(fx.op(del.id).status, "SUCCEEDED");
    assert.equal(fx.current(s).status, "DELETED");
    assert.notEqual(fx.current(s).deletedAt, null);
    assert.deepEqual(fx.operationStatuses(s), ["CreateServiceStarted", "CreateServiceFailed", "DeleteServiceStarted", "DeleteServiceCompletedSuccessfully"]);
  });

  it("runs a service's operations one at a time, in order", async () => {
    const driver = new ScriptedRuntimeDriver();
    const s = fx.service("OPERATION_IN_PROGRESS", D0);
    const pause = fx.operation(s, "PAUSE_SERVICE");
    const resume = fx.operation(s, "RESUME_SERVICE");
    const engine = fx.engine(driver);
    engine.start();
    await engine.idle();
    assert.equal(fx.op(pause.id).status, "SUCCEEDED");
    assert.equal(fx.op(resume.id).status, "SUCCEEDED");
    assert.deepEqual(fx.operationStatuses(s), [...ok("PauseService"), ...ok("ResumeService")]);
    assert.equal(driver.calls[0]?.split(":")[0], "pause");
  });
});
