import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../util/clock.js";
import { ManualTimers } from "../../util/manual-timers.js";
import type { ServiceRef } from "./catalog.js";
import { concurrencySampler, type InFlight } from "./concurrency-sampler.js";

const web: ServiceRef = { serviceName: "web", serviceId: "a".repeat(32) };

describe("the Concurrency sampler", () => {
  it("records each known service's requests in flight every interval; a failed read is logged and the next one still runs", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const timers = new ManualTimers();
    const recorded: [string, number, number][] = [];
    const logs: string[] = [];
    let loads: readonly InFlight[] | Error = [
      { serviceId: web.serviceId, inFlight: 3 },
      { serviceId: "gone", inFlight: 9 },
    ];
    const sampler = concurrencySampler({
      load: () => (loads instanceof Error ? Promise.reject(loads) : Promise.resolve(loads)),
      services: (id) => (id === web.serviceId ? web : undefined),
      recorder: { recordConcurrency: (s, second, n) => void recorded.push([s.serviceName, second, n]) },
      clock,
      logger: (m) => void logs.push(m),
      timers,
    });
    const second = (): number => Math.floor(clock.now() / 1000);
    sampler.start();
    await timers.advance(1000);
    assert.deepEqual(recorded, [["web", second(), 3]], "a service deleted meanwhile is left out");
    loads = new Error("admin socket refused");
    clock.advance(1000);
    await timers.advance(1000);
    assert.deepEqual(logs, ["concurrency sample failed"]);
    loads = [{ serviceId: web.serviceId, inFlight: 0 }];
    clock.advance(1000);
    await timers.advance(1000);
    assert.deepEqual(recorded.at(-1), ["web", second(), 0], "an idle service records 0");
    await sampler.stop();
  });
});
