import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { overdueReason, phaseStep, STEP_BOUNDS_MS, type BoundedStep } from "./step-bounds.js";

const MIN = 60_000;

describe("step bounds", () => {
  const phases: [string, BoundedStep][] = [
    ["start", "record"],
    ["artifact", "deploy"],
    ["deploy", "deploy"],
    ["health", "health"],
    ["rollout", "rollout"],
    ["traffic", "traffic"],
    ["retire-previous", "retire"],
    ["rollback", "rollback"],
    ["failed", "record"],
    ["stop", "pause"],
    ["remove", "delete"],
    ["teleport", "other"],
  ];
  for (const [phase, step] of phases) it(`phase ${phase} starts in step ${step}`, () => assert.equal(phaseStep(phase), step));

  const T0 = 1_000_000;
  const cases: [BoundedStep, number, string | undefined][] = [
    ["pull", 15 * MIN, undefined],
    ["pull", 15 * MIN + 1, "Pulling the image did not finish within 15 minutes."],
    ["source", 10 * MIN + 1, "Fetching the source code did not finish within 10 minutes."],
    ["runtime", 30 * MIN + 1, "Providing the runtime did not finish within 30 minutes."],
    ["build", 29 * MIN, undefined],
    ["build", 30 * MIN + 1, "The build did not finish within 30 minutes."],
    ["import", 10 * MIN + 1, "Importing the built image did not finish within 10 minutes."],
    ["push", 10 * MIN + 1, "Keeping the built image in the built-in registry did not finish within 10 minutes."],
    ["start", 3 * MIN + 1, "Starting the instances did not finish within 3 minutes."],
    ["deploy", 15 * MIN + 1, "Preparing the deployment did not finish within 15 minutes."],
    ["health", 5 * MIN, undefined],
    ["health", 10 * MIN + 1, "Waiting for the instances to pass their health checks did not finish within 10 minutes."],
    ["traffic", 2 * MIN + 1, "Sending traffic to the new deployment did not finish within 2 minutes."],
    ["retire", 3 * MIN + 1, "Stopping the previous deployment did not finish within 3 minutes."],
    ["record", 1 * MIN + 1, "Recording the operation's progress did not finish within 1 minute."],
    ["delete", 5 * MIN + 1, "Removing the service's instances did not finish within 5 minutes."],
  ];
  for (const [step, elapsed, reason] of cases) {
    it(`${step} after ${elapsed} ms: ${reason ?? "within its bound"}`, () => assert.equal(overdueReason(step, T0, T0 + elapsed), reason));
  }

  it("takes other bounds (and says seconds when they are not whole minutes)", () => {
    const bounds = { ...STEP_BOUNDS_MS, start: 1500 };
    assert.equal(overdueReason("start", T0, T0 + 1500, bounds), undefined);
    assert.equal(overdueReason("start", T0, T0 + 1501, bounds), "Starting the instances did not finish within 2 seconds.");
  });

  it("every step has a bound, and those of a deployment fit inside its whole", () => {
    for (const [step, ms] of Object.entries(STEP_BOUNDS_MS)) assert.ok(ms > 0, step);
    assert.ok(STEP_BOUNDS_MS.start < STEP_BOUNDS_MS.health, "a restart's health phase makes instances again");
  });
});
