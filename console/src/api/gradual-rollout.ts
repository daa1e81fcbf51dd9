// `.js`: test/console-rollout.test.ts compiles these pure files with Node's resolution too.
import type { RolloutWire as Rollout } from "../../../src/api/openrunner/describe-rollout.js";
import { durationLabel } from "./durations.js";

/** The tag a service opts in to gradual rollouts with (docs/deployments.md, "Gradual rollout"; the server validates it). */
export const GRADUAL_ROLLOUT_TAG = "openrunner:gradual-rollout";

/** What a deployment does without the tag: App Runner's own switch. */
export const ALL_AT_ONCE = "All at once (App Runner's blue/green)";

/** The defaults of the settings the overview names, as the tag would write them. */
const DEFAULTS: Record<string, string> = { steps: "10/50", interval: "1m", "max-5xx": "1", "max-p99": "2s" };

/**
 * How the overview says a tag value: its steps, each step's length and the thresholds that
 * send traffic back, with the server's defaults for what the value leaves out; ALL_AT_ONCE when
 * the service has no rollout. The server refused any value it would not apply.
 */
export function rolloutLabel(value: string | undefined): string {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === "false" || v === "off") return ALL_AT_ONCE;
  const set: Record<string, string> = { ...DEFAULTS };
  if (v !== "true" && v !== "on") {
    for (const word of v.split(/\s+/)) {
      const [key = "", raw = ""] = word.split("=", 2);
      set[key] = raw;
    }
  }
  const steps = [...(set.steps ?? "").split("/"), "100"].map((p) => `${p}%`).join(" → ");
  const interval = durationLabel(set.interval ?? "", "s") ?? set.interval;
  const p99 = durationLabel(set["max-p99"] ?? "", "ms") ?? set["max-p99"];
  return `Gradual rollout: ${steps} of new clients, ${interval} a step; goes back above ${set["max-5xx"]}% 5xx or a p99 above ${p99}`;
}

type Step = Rollout["Steps"][number];

/** The percent of a step's responses that were 5xx, when it had any. */
export function errorRate(step: Step): number | undefined {
  return step.Requests > 0 ? (step.Errors5xx / step.Requests) * 100 : undefined;
}

/** Which thresholds a step crossed, as the server's abort decides: only once the window holds min-requests responses. */
export function overThresholds(step: Step, s: Rollout["Settings"]): { errors: boolean; p99: boolean } {
  const judged = step.Requests >= s.MinRequests;
  return { errors: judged && (errorRate(step) ?? 0) > s.Max5xxPercent, p99: judged && (step.P99Millis ?? 0) > s.MaxP99Millis };
}
