import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { CONFIG, EngineFixture, until } from "../../test/support/engine-fixture.js";
import { ScriptedRuntimeDriver } from "../../test/support/scripted-driver.js";
import { RETAINED_DEPLOYMENTS } from "../domain/deployment-history.js";
import { retainedDeployments, retainedImageDigests, startRollback } from "../domain/deployment-records.js";
import type { ServiceRow } from "../domain/service-record.js";
import type { Engine } from "./engine.js";

describe("Engine: retained deployments and rollback", () => {
  let fx: EngineFixture;
  let driver: ScriptedRuntimeDriver;
  let engine: Engine;
  beforeEach(() => {
    fx = new EngineFixture();
    driver = new ScriptedRuntimeDriver();
    engine = fx.engine(driver);
    engine.start();
  });
  afterEach(async () => fx.close());

  /** A service with `n` successful deployments (a create, then manual deployments), each of image tag v<i>. */
  async function deployed(n: number): Promise<ServiceRow> {
    const s = fx.service();
    for (let i = 1; i <= n; i++) {
      const row = fx.current(s);
      row.doc = { ...row.doc, SourceConfiguration: { AutoDeploymentsEnabled: true, ImageRepository: { ImageIdentifier: `127.0.0.1:5000/hello:v${i}`, ImageRepositoryType: "ECR_PUBLIC" } } };
      fx.store.resources.update(row);
      fx.operation(s, i === 1 ? "CREATE_SERVICE" : "START_DEPLOYMENT");
      engine.notify();
      await engine.idle();
    }
    return fx.current(s);
  }

  const deps = () => ({ store: fx.store, clock: fx.clock, random: fx.random, config: CONFIG, engine: { notify: () => engine.notify(), firstPhaseOf: () => "start" } });

  it("keeps each success's image digest and configuration, the last N per service; their images count as in use", async () => {
    const s = await deployed(RETAINED_DEPLOYMENTS + 2);
    const list = retainedDeployments(fx.store, s.arn);
    assert.equal(list.length, RETAINED_DEPLOYMENTS);
    assert.equal(list[0]?.snapshot.configuration.SourceConfiguration?.ImageRepository?.ImageIdentifier, `127.0.0.1:5000/hello:v${RETAINED_DEPLOYMENTS + 2}`);
    assert.equal(list.at(-1)?.snapshot.configuration.SourceConfiguration?.ImageRepository?.ImageIdentifier, "127.0.0.1:5000/hello:v3");
    const inUse = new Set(retainedImageDigests(fx.store));
    for (const d of list) assert.ok(inUse.has(d.manifestDigest));
  });

  it("a service being deleted keeps no deployment: its images are the delete's prune's to remove", async () => {
    const gone = await deployed(2);
    const kept = await deployed(1);
    assert.equal(retainedImageDigests(fx.store).length, 6);
    fx.store.resources.update({ ...fx.current(gone), status: "OPERATION_IN_PROGRESS" });
    fx.operation(gone, "DELETE_SERVICE");
    const hold = driver.hold("delete");
    engine.notify();
    await until(() => driver.calls.some((c) => c.startsWith("delete")));
    assert.deepEqual(retainedDeployments(fx.store, gone.arn), [], "while the delete runs");
    hold();
    await engine.idle();
    assert.deepEqual(retainedDeployments(fx.store, gone.arn), []);
    assert.deepEqual(new Set(retainedImageDigests(fx.store)), new Set(retainedDeployments(fx.store, kept.arn).flatMap((d) => [d.imageDigest, d.manifestDigest])));
  });

  it("a rollback is a START_DEPLOYMENT of the retained digest (pinned: no pull, no build) with its own events, in EventBridge too", async () => {
    const s = await deployed(3);
    const [, v2] = retainedDeployments(fx.store, s.arn);
    const { operationId, target } = fx.store.tx(() => startRollback(deps(), fx.current(s)));
    assert.equal(target.deploymentId, v2?.deploymentId);
    await engine.idle();
    assert.equal(fx.op(operationId).type, "START_DEPLOYMENT");
    assert.equal(fx.op(operationId).status, "SUCCEEDED");
    assert.equal(driver.requests.at(-1)?.pinnedDigest, v2?.imageDigest, "the artifact phase is handed the digest");
    assert.equal(fx.current(s).internal.currentImageDigest, v2?.imageDigest);
    assert.equal(fx.current(s).doc.SourceConfiguration?.ImageRepository?.ImageIdentifier, "127.0.0.1:5000/hello:v2");
    const messages = fx.events(s, "AppRunner Service Operation Status Change").map((e) => e.detail).slice(-2);
    assert.deepEqual(messages.map((d) => d.Status), ["DeploymentStarted", "DeploymentCompletedSuccessfully"]);
    assert.match(String(messages[0]?.Message), new RegExp(`^Rollback to deployment ${v2?.deploymentId ?? "-"} \\(image sha256:[0-9a-f]{64}\\) started\\.$`));
    assert.match(String(messages[1]?.Message), /\) completed\.$/);
    assert.match(fx.deploymentLog(s, operationId)[0] ?? "", /Triggering event : ROLLBACK$/);
    // Automatic deployment would put v3 back at the next poll: a rollback turns it off, and says so.
    assert.equal(fx.current(s).doc.SourceConfiguration?.AutoDeploymentsEnabled, false);
    assert.ok(fx.deploymentLog(s, operationId).some((l) => l.includes("Automatic deployments are turned off")));
  });

  it("a rollback that fails its health check leaves what served serving and the configuration it replaced", async () => {
    const s = await deployed(2);
    const serving = fx.current(s).internal;
    const { operationId } = fx.store.tx(() => startRollback(deps(), fx.current(s)));
    assert.equal(fx.current(s).doc.SourceConfiguration?.ImageRepository?.ImageIdentifier, "127.0.0.1:5000/hello:v1", "the configuration is the target's while it deploys");
    driver.failNext = "waitHealthy";
    engine.notify();
    await engine.idle();
    assert.equal(fx.op(operationId).status, "ROLLBACK_SUCCEEDED");
    assert.equal(fx.current(s).status, "RUNNING");
    assert.equal(fx.current(s).internal.currentDeploymentId, serving.currentDeploymentId);
    assert.equal(fx.current(s).doc.SourceConfiguration?.ImageRepository?.ImageIdentifier, "127.0.0.1:5000/hello:v2");
    assert.equal(fx.current(s).doc.SourceConfiguration?.AutoDeploymentsEnabled, true, "a failed rollback leaves automatic deployments as they were");
    const last = fx.events(s, "AppRunner Service Operation Status Change").at(-1)?.detail;
    assert.equal(last?.Status, "DeploymentFailed");
    assert.match(String(last?.Message), /^Rollback to deployment \S+ \(image sha256:[0-9a-f]{64}\) failed\. For details, see service logs\.$/);
    assert.equal(retainedDeployments(fx.store, s.arn).length, 2, "a failed rollback is not a retained deployment");
  });

  it("refuses while the service is not RUNNING (InvalidState) and when nothing earlier succeeded (ResourceNotFound)", async () => {
    const one = await deployed(1);
    assert.throws(() => fx.store.tx(() => startRollback(deps(), fx.current(one))), { code: "ResourceNotFound" });
    const busy = fx.service("OPERATION_IN_PROGRESS");
    assert.throws(() => fx.store.tx(() => startRollback(deps(), busy)), { code: "InvalidState" });
  });
});
