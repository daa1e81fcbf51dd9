import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { ManualClock } from "../util/clock.js";
import { ManualTimers } from "../util/manual-timers.js";
import { PhaseWatch } from "./phase-watch.js";
import { STEP_BOUNDS_MS } from "./step-bounds.js";

describe("PhaseWatch.expire", () => {
  it("checks every everyMs, rejects with StepTimedOut once the step is overdue, and then stops checking", async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers();
    const watch = new PhaseWatch(clock, "traffic", { ...STEP_BOUNDS_MS, traffic: 1000 });
    const bound = watch.expire(100, () => undefined, timers);
    let failure: unknown;
    bound.expired.catch((err: unknown) => (failure = err));
    const outcome = (): unknown => failure;
    assert.deepEqual(timers.scheduled(), [100]);
    clock.advance(999);
    await timers.advance(300);
    assert.equal(outcome(), undefined, "not overdue yet");
    assert.deepEqual(timers.scheduled(), [100]);
    clock.advance(2);
    await timers.advance(100);
    const err = outcome();
    assert.ok(err instanceof AppRunnerError && err.code === "StepTimedOut", String(err));
    assert.deepEqual(timers.scheduled(), [], "no check after the step timed out");
    bound.stop();
  });

  it("stop ends the checks before the bound", async () => {
    const clock = new ManualClock();
    const timers = new ManualTimers();
    const bound = new PhaseWatch(clock, "traffic", { ...STEP_BOUNDS_MS, traffic: 1000 }).expire(100, () => undefined, timers);
    bound.stop();
    clock.advance(5000);
    await timers.advance(500);
    assert.deepEqual(timers.scheduled(), []);
  });
});
