import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { BackendLoad } from "../router/types.js";
import { ManualClock } from "../util/clock.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { Autoscaler, DEFAULT_SAMPLE_MS, SCALE_RETRY_MS, type ScalableService } from "./autoscaler.js";

interface LogLine {
  message: string;
  fields: Record<string, unknown> | undefined;
}

/** A fake data plane and control plane: services scale at once unless told otherwise. */
function harness(initial: Array<Partial<ScalableService> & { serviceId: string }>) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const services = new Map<string, ScalableService>(
    initial.map((s) => [s.serviceId, { minSize: 1, maxSize: 25, maxConcurrency: 100, current: 1, deploying: false, ...s }]),
  );
  const concurrency = new Map<string, { inFlight: number; queued: number }>();
  const scaled: Array<{ serviceId: string; desired: number; reason: string }> = [];
  const logs: LogLine[] = [];
  const h = {
    clock,
    services,
    concurrency,
    scaled,
    logs,
    loadCalls: 0,
    servicesCalls: 0,
    loadImpl: (): Promise<BackendLoad[]> =>
      Promise.resolve(
        [...concurrency].map(([serviceId, c]) => ({ serviceId, inFlight: c.inFlight, queued: c.queued, perInstance: {} })),
      ),
    scaleImpl: (serviceId: string, desired: number): Promise<void> => {
      const svc = services.get(serviceId);
      assert.ok(svc);
      svc.current = desired;
      return Promise.resolve();
    },
    autoscaler: undefined as unknown as Autoscaler,
    /** Moves the clock one second and runs one round (sample and decision). */
    async second(): Promise<void> {
      clock.advance(1000);
      await h.autoscaler.tick();
    },
    /** Moves the clock one sample interval and runs one round, as the timer does. */
    async sample(): Promise<void> {
      clock.advance(DEFAULT_SAMPLE_MS);
      await h.autoscaler.tick();
    },
  };
  h.autoscaler = new Autoscaler({
    clock,
    load: () => {
      h.loadCalls++;
      return h.loadImpl();
    },
    services: () => {
      h.servicesCalls++;
      return [...services.values()].map((s) => ({ ...s }));
    },
    scale: (serviceId, desired, reason) => {
      scaled.push({ serviceId, desired, reason });
      return h.scaleImpl(serviceId, desired);
    },
    logger: (message, fields) => logs.push({ message, fields }),
  });
  return h;
}

describe("Autoscaler", () => {
  it("records in-flight + queued per second, keeping the highest sample of a second", async () => {
    const h = harness([{ serviceId: "a", current: 10 }]);
    h.concurrency.set("a", { inFlight: 30, queued: 5 });
    await h.autoscaler.tick();
    h.concurrency.set("a", { inFlight: 20, queued: 0 });
    h.clock.advance(300);
    await h.autoscaler.tick();
    h.concurrency.set("a", { inFlight: 90, queued: 10 });
    h.clock.advance(400);
    await h.autoscaler.tick();
    const second = Math.floor(h.clock.now() / 1000);
    assert.deepEqual(h.autoscaler.history("a"), [{ second, concurrency: 100, queued: 10 }]);
  });

  it("keeps only the stable window of samples", async () => {
    const h = harness([{ serviceId: "a", current: 2 }]);
    h.concurrency.set("a", { inFlight: 100, queued: 0 });
    for (let i = 0; i < 100; i++) await h.second();
    assert.equal(h.autoscaler.history("a").length, 60);
  });

  it("a step to 4x MaxConcurrency without a queue (concurrency alone) is scaled out on the 2nd second", async () => {
    const h = harness([{ serviceId: "a", current: 1 }]);
    h.concurrency.set("a", { inFlight: 50, queued: 0 });
    for (let i = 0; i < 90; i++) await h.second();
    assert.equal(h.scaled.length, 0);
    h.concurrency.set("a", { inFlight: 400, queued: 0 });
    await h.second();
    for (let i = 0; i < 3; i++) await h.sample();
    assert.equal(h.scaled.length, 0, "one second of 400 is not yet a step");
    await h.sample(); // the next regular decision, in the 2nd second of 400
    assert.equal(h.scaled.length, 1);
    assert.equal(h.scaled[0]?.serviceId, "a");
    assert.equal(h.scaled[0]?.desired, 6);
    assert.match(h.scaled[0]?.reason ?? "", /panic \(concurrency 400 over the last 2 s fills 1 x 100\)/);
    assert.equal(h.services.get("a")?.current, 6);
    assert.ok(h.logs.some((l) => l.message === "autoscaler: scaling" && l.fields?.desired === 6));
  });

  it("a step to 4x MaxConcurrency that queues is scaled out at the very first sample", async () => {
    const h = harness([{ serviceId: "a", current: 1 }]);
    h.concurrency.set("a", { inFlight: 50, queued: 0 });
    for (let i = 0; i < 90; i++) await h.second();
    const decisions = h.servicesCalls;
    h.concurrency.set("a", { inFlight: 100, queued: 300 });
    await h.sample(); // 250 ms after the last regular decision
    assert.equal(h.servicesCalls, decisions + 1, "decided at once, not at the next whole interval");
    assert.deepEqual(
      h.scaled.map((s) => [s.serviceId, s.desired]),
      [["a", 6]],
    );
    assert.match(h.scaled[0]?.reason ?? "", /panic \(300 requests waiting for a free instance; concurrency 400 fills 1 x 100\)/);
    assert.equal(h.services.get("a")?.current, 6);
  });

  it("samples every sampleMs but decides only once per intervalMs without a queue", async () => {
    const h = harness([{ serviceId: "a", current: 2 }]);
    h.concurrency.set("a", { inFlight: 100, queued: 0 });
    for (let i = 0; i < 40; i++) await h.sample();
    assert.equal(h.loadCalls, 40);
    assert.equal(h.servicesCalls, 10, "10 s of samples, 10 decisions");
    assert.equal(h.autoscaler.history("a").length, 11, "from 0.25 s to 10 s: seconds 0 to 10");
    assert.equal(h.scaled.length, 0);
  });

  it("a queue that persists decides once, then waits for the regular rounds", async () => {
    const h = harness([{ serviceId: "a", current: 4, maxSize: 4 }]);
    h.concurrency.set("a", { inFlight: 100, queued: 0 });
    await h.sample(); // first round: a decision
    h.concurrency.set("a", { inFlight: 400, queued: 600 });
    for (let i = 0; i < 16; i++) await h.sample();
    // The first round, the one where the queue appeared, then one every 4 samples after that.
    assert.equal(h.servicesCalls, 1 + 1 + 3);
    assert.equal(h.scaled.length, 0, "already at MaxSize");
    // Gone at a regular round and back: decided at once again.
    h.concurrency.set("a", { inFlight: 100, queued: 0 });
    for (let i = 0; i < 4; i++) await h.sample();
    const before = h.servicesCalls;
    h.concurrency.set("a", { inFlight: 400, queued: 10 });
    await h.sample();
    assert.equal(h.servicesCalls, before + 1);
  });

  it("does not call scale() when the count is right", async () => {
    const h = harness([{ serviceId: "a", current: 3 }]);
    h.concurrency.set("a", { inFlight: 150, queued: 0 });
    for (let i = 0; i < 200; i++) await h.second();
    assert.equal(h.scaled.length, 0);
  });

  it("scales in after quiet: not before a full window and the delay", async () => {
    const h = harness([{ serviceId: "a", current: 4 }]);
    for (let i = 0; i < 58; i++) await h.second();
    assert.equal(h.scaled.length, 0);
    for (let i = 0; i < 200; i++) await h.second();
    assert.deepEqual(
      h.scaled.map((s) => s.desired),
      [2, 1],
    );
  });

  it("leaves deploying services alone, but keeps their samples", async () => {
    const h = harness([{ serviceId: "a", current: 2, deploying: true }]);
    h.concurrency.set("a", { inFlight: 200, queued: 600 });
    for (let i = 0; i < 10; i++) await h.second();
    assert.equal(h.scaled.length, 0, "not even for a queue: the deployment owns the count");
    assert.equal(h.autoscaler.history("a").length, 10);
    assert.ok(h.autoscaler.history("a").every((s) => s.concurrency === 800 && s.queued === 600));
    const svc = h.services.get("a");
    assert.ok(svc);
    svc.deploying = false;
    await h.second();
    assert.deepEqual(
      h.scaled.map((s) => s.desired),
      [12],
    );
  });

  it("logs a failing load() with context, never throws, and reads the blind seconds as unchanged", async () => {
    const h = harness([{ serviceId: "a", current: 2 }]);
    h.concurrency.set("a", { inFlight: 140, queued: 0 });
    for (let i = 0; i < 60; i++) await h.second();
    h.loadImpl = () => Promise.reject(new Error("haproxy socket gone"));
    for (let i = 0; i < 120; i++) await h.second();
    assert.equal(h.scaled.length, 0, "no scale-in while blind");
    const failure = h.logs.find((l) => l.message.includes("reading backend load failed"));
    assert.match(String(failure?.fields?.error), /haproxy socket gone/);
    assert.ok(h.autoscaler.history("a").every((s) => s.concurrency === 140));
  });

  it("a blind sample carries the concurrency forward, not the queue (nobody knows who waits now)", async () => {
    const h = harness([{ serviceId: "a", current: 1, maxConcurrency: 4, maxSize: 5 }]);
    h.concurrency.set("a", { inFlight: 4, queued: 12 });
    await h.second();
    assert.equal(h.scaled.at(-1)?.desired, 5);
    h.loadImpl = () => Promise.reject(new Error("haproxy socket gone"));
    await h.second();
    const [, blind] = h.autoscaler.history("a");
    assert.deepEqual(blind && { concurrency: blind.concurrency, queued: blind.queued }, { concurrency: 16, queued: 0 });
  });

  it("logs a failing scale() with the service and retries after SCALE_RETRY_MS", async () => {
    const h = harness([{ serviceId: "a", current: 1 }]);
    let fail = true;
    h.scaleImpl = (serviceId, desired) => {
      if (fail) return Promise.reject(new Error("runtime unavailable"));
      const svc = h.services.get(serviceId);
      assert.ok(svc);
      svc.current = desired;
      return Promise.resolve();
    };
    h.concurrency.set("a", { inFlight: 100, queued: 200 });
    await h.second();
    assert.equal(h.scaled.length, 1);
    const failure = h.logs.find((l) => l.message === "autoscaler: scaling failed");
    assert.equal(failure?.fields?.serviceId, "a");
    assert.equal(failure?.fields?.desired, 5);
    assert.match(String(failure?.fields?.error), /runtime unavailable/);
    for (let i = 0; i < SCALE_RETRY_MS / 1000 - 1; i++) await h.second();
    assert.equal(h.scaled.length, 1, "no retry before SCALE_RETRY_MS");
    fail = false;
    await h.second();
    assert.equal(h.scaled.length, 2);
    assert.equal(h.services.get("a")?.current, 5);
  });

  it("a failing decision (bad configuration) is logged and other services still scale", async () => {
    const h = harness([
      { serviceId: "bad", maxConcurrency: 0 },
      { serviceId: "good", current: 1 },
    ]);
    h.concurrency.set("bad", { inFlight: 100, queued: 0 });
    h.concurrency.set("good", { inFlight: 300, queued: 0 });
    await h.second();
    assert.deepEqual(
      h.scaled.map((s) => [s.serviceId, s.desired]),
      [["good", 5]],
    );
    const failure = h.logs.find((l) => l.message === "autoscaler: decision failed");
    assert.equal(failure?.fields?.serviceId, "bad");
  });

  it("a slow scale() does not stop sampling and is not called twice for the same service", async () => {
    const h = harness([{ serviceId: "a", current: 1 }]);
    let release: () => void = () => undefined;
    h.scaleImpl = () =>
      new Promise<void>((resolve) => {
        release = resolve;
      });
    h.concurrency.set("a", { inFlight: 100, queued: 300 });
    h.clock.advance(1000);
    const first = h.autoscaler.tick();
    await sleep(1);
    for (let i = 0; i < 3; i++) {
      h.clock.advance(1000);
      void h.autoscaler.tick();
      await sleep(1);
    }
    assert.equal(h.loadCalls, 4, "sampled every second");
    assert.equal(h.scaled.length, 1, "one call in flight per service");
    release();
    await first;
  });

  it("a round still reading load is not started twice", async () => {
    const h = harness([{ serviceId: "a" }]);
    let release: (loads: BackendLoad[]) => void = () => undefined;
    h.loadImpl = () =>
      new Promise<BackendLoad[]>((resolve) => {
        release = resolve;
      });
    const a = h.autoscaler.tick();
    const b = h.autoscaler.tick();
    assert.equal(h.loadCalls, 1);
    release([]);
    await Promise.all([a, b]);
  });

  it("forgets services that are gone", async () => {
    const h = harness([{ serviceId: "a" }, { serviceId: "b" }]);
    h.concurrency.set("a", { inFlight: 10, queued: 0 });
    h.concurrency.set("b", { inFlight: 10, queued: 0 });
    await h.second();
    h.services.delete("b");
    await h.second();
    assert.equal(h.autoscaler.history("a").length, 2);
    assert.deepEqual(h.autoscaler.history("b"), []);
  });

  it("rejects a sampling or decision interval that is not a positive number", () => {
    for (const bad of [{ intervalMs: 0 }, { sampleMs: -1 }, { sampleMs: Number.NaN }]) {
      assert.throws(
        () => new Autoscaler({ clock: new ManualClock(), load: () => Promise.resolve([]), services: () => [], scale: () => Promise.resolve(), ...bad }),
        AppRunnerError,
        JSON.stringify(bad),
      );
    }
  });

  it("start() ticks on its timer every sampleMs; stop() ends it", async () => {
    const clock = new ManualClock();
    let calls = 0;
    let decisions = 0;
    const autoscaler = new Autoscaler({
      clock,
      intervalMs: 1000,
      sampleMs: 5,
      load: () => {
        calls++;
        return Promise.resolve([]);
      },
      services: () => {
        decisions++;
        return [];
      },
      scale: () => Promise.resolve(),
    });
    autoscaler.start();
    autoscaler.start();
    const deadline = Date.now() + 2000;
    while (calls < 3 && Date.now() < deadline) await sleep(5);
    await autoscaler.stop();
    const after = calls;
    assert.ok(after >= 3);
    assert.equal(decisions, 1, "the clock did not move: one decision, the first");
    await sleep(30);
    assert.equal(calls, after);
  });
});
