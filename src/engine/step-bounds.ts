import type { DeploymentStep } from "../runtime/driver.js";
import type { ArtifactStep } from "./artifact/types.js";

/**
 * How long each part of an operation may take before it fails (and rolls back, as any other
 * failure): engine phases, and within a deployment the step the driver says it is in. Pure,
 * with time from the injected clock.
 */
export type BoundedStep = ArtifactStep | DeploymentStep | "record" | "deploy" | "health" | "rollout" | "traffic" | "retire" | "rollback" | "pause" | "delete" | "other";

const MINUTE = 60_000;

export const STEP_BOUNDS_MS: Readonly<Record<BoundedStep, number>> = {
  // Phases that only write the store.
  record: 1 * MINUTE,
  // A deployment's preparation until the artifact resolver or the driver names its step (and a ResumeService finding its image again).
  deploy: 15 * MINUTE,
  // A large image over a slow link.
  pull: 15 * MINUTE,
  // git fetch of one branch and the export of one commit.
  source: 10 * MINUTE,
  // The first build of a managed runtime (a Debian base with mmdebstrap, Node.js or Python).
  runtime: 30 * MINUTE,
  // pre-build, build and post-build commands (package installs included).
  build: 30 * MINUTE,
  // Assembling the image from the build's changes and unpacking it into the image store.
  import: 10 * MINUTE,
  // Pushing the built image to the built-in registry over its local socket (layers it lacks only).
  push: 10 * MINUTE,
  // Creating instances (network, overlay, container): seconds each.
  start: 3 * MINUTE,
  // App Runner's 5 minute start-up budget for health checks, plus instances made again after a restart.
  health: 10 * MINUTE,
  // A gradual rollout ends itself (each step's interval, at most 98 steps of 1 h, then promote or abort).
  rollout: 100 * 60 * MINUTE,
  // Publishing instances to the data plane (one reload at most).
  traffic: 2 * MINUTE,
  // Draining the old instances (30 s at most) and stopping them.
  retire: 3 * MINUTE,
  rollback: 5 * MINUTE,
  pause: 5 * MINUTE,
  delete: 5 * MINUTE,
  // A phase this table does not know (the engine fails unknown phases anyway).
  other: 15 * MINUTE,
};

const PHASE_STEPS: Readonly<Record<string, BoundedStep>> = {
  start: "record",
  failed: "record",
  artifact: "deploy",
  deploy: "deploy",
  health: "health",
  rollout: "rollout",
  traffic: "traffic",
  "retire-previous": "retire",
  rollback: "rollback",
  stop: "pause",
  remove: "delete",
};

/** The step an engine phase starts in. */
export function phaseStep(phase: string): BoundedStep {
  return PHASE_STEPS[phase] ?? "other";
}

const WHAT: Readonly<Record<BoundedStep, string>> = {
  record: "Recording the operation's progress",
  deploy: "Preparing the deployment",
  pull: "Pulling the image",
  source: "Fetching the source code",
  runtime: "Providing the runtime",
  build: "The build",
  import: "Importing the built image",
  push: "Keeping the built image in the built-in registry",
  start: "Starting the instances",
  health: "Waiting for the instances to pass their health checks",
  rollout: "The gradual rollout",
  traffic: "Sending traffic to the new deployment",
  retire: "Stopping the previous deployment",
  rollback: "Rolling back",
  pause: "Stopping the service's instances",
  delete: "Removing the service's instances",
  other: "The step",
};

function duration(ms: number): string {
  if (ms % MINUTE === 0) return `${ms / MINUTE} minute${ms === MINUTE ? "" : "s"}`;
  const s = Math.round(ms / 1000);
  return `${s} second${s === 1 ? "" : "s"}`;
}

/** Why a step that began at `since` has failed by `now`, or undefined while it is within its bound. */
export function overdueReason(step: BoundedStep, since: number, now: number, bounds: Readonly<Record<BoundedStep, number>> = STEP_BOUNDS_MS): string | undefined {
  const bound = bounds[step];
  if (now - since <= bound) return undefined;
  return `${WHAT[step]} did not finish within ${duration(bound)}.`;
}
