import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decide,
  INITIAL_AUTOSCALER_STATE,
  type AutoscalerState,
  type ConcurrencySample,
  type Decision,
  type ScalingConfig,
} from "./decide.js";

/** An arbitrary whole second (2026-01-01T00:00:00Z). */
const T0 = Date.UTC(2026, 0, 1) / 1000;
/** bench/autoscale's service: 16 clients against MaxConcurrency 4 is a step to 4x. */
const BENCH: ScalingConfig = { minSize: 1, maxSize: 5, maxConcurrency: 4 };
const DEFAULT: ScalingConfig = { minSize: 1, maxSize: 25, maxConcurrency: 100 };
/** A service the decider has watched for 100 s, all of them quiet. */
const WATCHED: AutoscalerState = { observedSince: T0 - 100 };

/** One decision 400 ms into second T0 + t. */
function at(t: number, samples: ConcurrencySample[], current: number, config: ScalingConfig, state: AutoscalerState = WATCHED): Decision {
  return decide({ now: (T0 + t) * 1000 + 400, samples, current, config, state });
}

describe("decide: requests waiting in the latest second (queue)", () => {
  it("a step from quiet to 4x MaxConcurrency that queues scales out at once, to what that second's concurrency needs", () => {
    // In flight 4 on the one instance, 12 waiting: 16 at 2.8 per instance wants 6, MaxSize 5.
    const d = at(0, [{ second: T0, concurrency: 16, queued: 12 }], 1, BENCH);
    assert.equal(d.desired, 5);
    assert.match(d.reason, /^panic \(12 requests waiting for a free instance; concurrency 16 fills 1 x 4\): 16 at 2\.8 per instance wants 6/);
    assert.match(d.reason, /clamped to \[1, 5\] -> 5$/);
    assert.ok(d.state.panicUntil !== undefined);
  });

  it("the same step seen as concurrency alone (no queue) still waits for a second second", () => {
    for (const queued of [undefined, 0]) {
      const first = at(0, [{ second: T0, concurrency: 16, ...(queued === undefined ? {} : { queued }) }], 1, BENCH);
      assert.equal(first.desired, 1, `queued ${queued}`);
      assert.match(first.reason, /^stable/);
    }
  });

  it("a queue in an older second only does not trigger it", () => {
    const samples = [
      { second: T0 - 1, concurrency: 16, queued: 12 },
      { second: T0, concurrency: 2, queued: 0 },
    ];
    const d = at(0, samples, 1, BENCH);
    assert.equal(d.desired, 1);
    assert.equal(d.state.panicUntil, undefined);
  });

  it("a queue in the latest second counts even when an older sample of it had none (max per second)", () => {
    const samples = [
      { second: T0, concurrency: 3, queued: 0 },
      { second: T0, concurrency: 10, queued: 6 },
    ];
    assert.equal(at(0, samples, 1, BENCH).desired, 4); // ceil(10 / 2.8)
  });

  it("a queue with the service at MaxSize keeps MaxSize", () => {
    const d = at(0, [{ second: T0, concurrency: 40, queued: 20 }], 5, BENCH);
    assert.equal(d.desired, 5);
    assert.match(d.reason, /20 requests waiting/);
    assert.match(d.reason, /keeping 5$/);
  });

  it("from MinSize 0 and no instance, a queue asks for at least one, at once", () => {
    const config = { ...BENCH, minSize: 0 };
    assert.equal(at(0, [{ second: T0, concurrency: 1, queued: 1 }], 0, config).desired, 1);
    assert.equal(at(0, [{ second: T0, concurrency: 9, queued: 9 }], 0, config).desired, 4);
    // A sample whose concurrency leaves out its own queue still counts every waiting request.
    assert.equal(at(0, [{ second: T0, concurrency: 0, queued: 3 }], 0, config).desired, 2);
  });

  it("a queue during panic never lowers the count", () => {
    // 1400 on 2 instances: panic to 20. Then 300 with 50 waiting (new instances not in yet) wants 5 alone.
    const first = at(0, [{ second: T0, concurrency: 1400, queued: 1200 }], 2, DEFAULT);
    assert.equal(first.desired, 20);
    const samples = [
      { second: T0, concurrency: 1400, queued: 1200 },
      { second: T0 + 1, concurrency: 300, queued: 50 },
    ];
    const second = at(1, samples, 20, DEFAULT, first.state);
    assert.equal(second.desired, 20);
    assert.match(second.reason, /50 requests waiting/);
    assert.ok((second.state.panicUntil ?? 0) > (first.state.panicUntil ?? 0), "the queue extends the panic");
  });

  it("a queue with more instances than it fills (new ones not in the router yet) keeps them", () => {
    const d = at(0, [{ second: T0, concurrency: 8, queued: 4 }], 5, BENCH);
    assert.equal(d.desired, 5);
  });

  it("NaN, negative and future queues are ignored", () => {
    for (const s of [
      { second: T0, concurrency: 2, queued: Number.NaN },
      { second: T0, concurrency: 2, queued: -3 },
      { second: T0 + 1, concurrency: 16, queued: 12 },
    ]) {
      const d = at(0, [s], 1, BENCH);
      assert.equal(d.desired, 1, JSON.stringify(s));
      assert.equal(d.state.panicUntil, undefined);
    }
  });

  it("right after start (nothing observed before), a queue still scales out at once", () => {
    const d = at(0, [{ second: T0, concurrency: 400, queued: 300 }], 1, DEFAULT, INITIAL_AUTOSCALER_STATE);
    assert.equal(d.desired, 6);
  });

  it("the panic started by a queue ends a stable window later, then scale-in waits and halves", () => {
    const config = { ...BENCH, stableWindowSeconds: 8, scaleDownDelayMs: 2000 };
    let state: AutoscalerState = INITIAL_AUTOSCALER_STATE;
    let current = 1;
    const samples: ConcurrencySample[] = [];
    const counts: number[] = [];
    for (let t = 0; t < 30; t++) {
      if (t < 3) samples.push({ second: T0 + t, concurrency: 16, queued: t === 0 ? 12 : 0 });
      const d = at(t, samples, current, config, state);
      state = d.state;
      current = d.desired;
      counts.push(current);
    }
    assert.equal(counts[0], 5, "at the first second, from the queue");
    assert.ok(counts.slice(0, 10).every((c) => c === 5), "held through the panic");
    assert.equal(counts.at(-1), 1);
  });
});
