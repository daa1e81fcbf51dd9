import { firstPhaseOf } from "../engine/reconcilers/index.js";
import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ImageStore } from "../images/types.js";
import { CONFIG, EngineFixture } from "../../test/support/engine-fixture.js";
import { ManualTimers } from "../util/manual-timers.js";
import { ImageWatcher } from "./image-watcher.js";

describe("ImageWatcher: automatic deployment of image services", () => {
  let fx: EngineFixture;
  let digest = "sha256:new";
  let notified = 0;
  const images: ImageStore = {
    resolve: async () => digest,
    pull: () => Promise.reject(new Error("not used")),
    using: (fn) => fn(),
    prune: async () => [],
    get: async () => undefined,
  };
  const watcher = (pollMs = 0, timers?: ManualTimers): ImageWatcher =>
    new ImageWatcher({
      deps: { store: fx.store, clock: fx.clock, random: fx.random, config: CONFIG, engine: { notify: () => notified++, firstPhaseOf } },
      images,
      pollMs,
      logger: () => undefined,
      ...(timers ? { timers } : {}),
    });
  const runningService = (auto: boolean, status: "RUNNING" | "PAUSED" = "RUNNING") => {
    const s = fx.service(status, "d0");
    s.internal = { currentDeploymentId: "d0", currentImageDigest: "sha256:old" };
    s.doc = { ...s.doc, SourceConfiguration: { ...s.doc.SourceConfiguration, AutoDeploymentsEnabled: auto } };
    fx.store.resources.update(s);
    return s;
  };

  beforeEach(() => {
    fx = new EngineFixture();
    digest = "sha256:new";
    notified = 0;
  });
  afterEach(async () => fx.close());

  it("starts one deployment for a new digest, and none for the same digest, a paused service or auto deployment off", async () => {
    const auto = runningService(true);
    const manual = runningService(false);
    const paused = runningService(true, "PAUSED");
    const w = watcher();
    await w.checkAll();
    await w.checkAll();
    const open = fx.store.operations.openForService(auto.arn);
    assert.equal(open.length, 1);
    assert.equal(open[0]?.type, "START_DEPLOYMENT");
    assert.equal(open[0]?.state.trigger, "IMAGE_UPDATE");
    assert.equal(fx.current(auto).status, "OPERATION_IN_PROGRESS");
    assert.equal(fx.store.operations.openForService(manual.arn).length, 0);
    assert.equal(fx.store.operations.openForService(paused.arn).length, 0);
    assert.ok(notified > 0, "the engine is woken");
  });

  it("does not retry a digest whose deployment failed until the tag moves on", async () => {
    const s = runningService(true);
    const w = watcher();
    await w.checkAll();
    const [op] = fx.store.operations.openForService(s.arn);
    assert.ok(op);
    fx.store.operations.update({ ...op, status: "ROLLBACK_SUCCEEDED", state: { ...op.state, phase: "done" } });
    fx.store.resources.update({ ...fx.current(s), status: "RUNNING" });
    await w.checkAll();
    assert.equal(fx.store.operations.openForService(s.arn).length, 0, "the failed digest is not deployed again");
    digest = "sha256:newer";
    await w.checkAll();
    assert.equal(fx.store.operations.openForService(s.arn).length, 1);
  });

  it("a push notification checks only the services on that registry, repository and tag", async () => {
    const s = runningService(true);
    const w = watcher();
    assert.equal(await w.onPush("127.0.0.1:5000", "other", "latest"), 0);
    assert.equal(fx.store.operations.openForService(s.arn).length, 0);
    assert.equal(await w.onPush("127.0.0.1:5000", "hello", "latest"), 1);
    assert.equal(fx.store.operations.openForService(s.arn).length, 1);
  });

  it("polls by itself", async () => {
    const s = runningService(true);
    const w = watcher(20);
    w.start();
    try {
      const until = Date.now() + 5000;
      while (fx.store.operations.openForService(s.arn).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      assert.equal(fx.store.operations.openForService(s.arn).length, 1);
    } finally {
      await w.stop();
    }
  });

  it("keeps polling through its timer after passes that found nothing to watch (a fresh start)", async () => {
    const timers = new ManualTimers();
    const w = watcher(60_000, timers);
    w.start();
    try {
      await timers.advance(60_000);
      await timers.advance(60_000);
      const s = runningService(true);
      await timers.advance(60_000);
      assert.equal(fx.store.operations.openForService(s.arn).length, 1, "the third poll deploys the new digest");
      assert.deepEqual(timers.scheduled(), [60_000]);
    } finally {
      await w.stop();
    }
  });

  it("a pass asked for while one is under way runs after it and sees what changed meanwhile", async () => {
    const w = watcher();
    const first = w.checkAll();
    const s = runningService(true);
    await Promise.all([first, w.checkAll()]);
    assert.equal(fx.store.operations.openForService(s.arn).length, 1);
  });
});
