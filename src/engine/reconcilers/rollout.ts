/**
 * The rollout phase of a deployment (issue 20), between health and traffic: with the service's
 * `openrunner:gradual-rollout` tag and a driver that can split traffic, the new version takes a
 * share of new clients, steps up after each interval and is then promoted (the traffic phase),
 * or goes back by itself when the data plane sees its 5xx rate or p99 cross a threshold. Its
 * progress is the operation's state (`rollout`), so a restart resumes the step it was in.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { decideRollout, type VersionMeasure } from "../../domain/gradual-rollout-decision.js";
import { rolloutSettingsOf, type RolloutSettings } from "../../domain/gradual-rollout.js";
import { rolloutRecordOf, type RolloutRecord, type RolloutStepRecord } from "../../domain/gradual-rollout-record.js";
import type { DeploymentRef } from "../../runtime/driver.js";
import type { OperationContext } from "../operation-context.js";

/** How often the new version's numbers are looked at. */
export const ROLLOUT_LOOK_MS = 1000;

/**
 * The settings this deployment rolls out with, or undefined for all at once: only a deployment
 * that replaces a serving version (not a creation, a resume or a rollback, which should be
 * immediate), on a driver that splits traffic, of a service with the tag.
 */
export function rolloutSettingsFor(ctx: OperationContext, replaces: boolean): RolloutSettings | undefined {
  const previous = ctx.op.state.previousDeploymentId;
  const driver = ctx.driver();
  if (!replaces || !previous || previous === ctx.op.state.deploymentId || !driver.splitTraffic || !driver.measureSplit) return undefined;
  return rolloutSettingsOf(ctx.deps.store.tags.list(ctx.op.serviceArn), { minIntervalMs: ctx.deps.config.rolloutMinIntervalMs });
}

const stepLine = (r: RolloutRecord, deploymentId: string): string =>
  `Gradual rollout: ${r.steps[r.step]?.percent ?? 0}% of traffic to deployment ${deploymentId} (step ${r.step + 1} of ${r.settings.steps.length}).`;

/** Says it in the deployment log and the service's events. */
function tell(ctx: OperationContext, line: string): void {
  ctx.log(line);
  ctx.deps.events.eventsLine(ctx.identity(), line);
}

/** Runs the rollout to its promotion (then `next`), or throws RolloutAborted after sending every client back. */
export async function runRollout(ctx: OperationContext, ref: DeploymentRef, settings: RolloutSettings, next: string): Promise<void> {
  const driver = ctx.driver();
  const split = driver.splitTraffic?.bind(driver);
  const measure = driver.measureSplit?.bind(driver);
  if (!split || !measure) throw new AppRunnerError("InternalServiceError", `The ${driver.name} runtime cannot split traffic.`);
  const now = (): number => ctx.deps.clock.now();
  let r = rolloutRecordOf(ctx.op.state.rollout);
  if (!r) {
    const t = now();
    r = { settings, status: "IN_PROGRESS", step: 0, steps: [{ percent: settings.steps[0] ?? 0, startedAt: t, requests: 0, errors5xx: 0 }], startedAt: t };
    ctx.advance("rollout", { rollout: r });
    tell(ctx, stepLine(r, ref.deploymentId));
  }
  if (r.status === "PROMOTED") return ctx.advance(next);
  // Set again on every (re)start of the phase: a driver keeps splits in memory only.
  await split(ref, r.steps[r.step]?.percent ?? 0, ctx.driverContext());
  for (;;) {
    if (ctx.signal.aborted) throw new AppRunnerError("InstanceFailed", "The gradual rollout was cancelled.");
    const step = r.steps[r.step];
    if (!step) throw new AppRunnerError("InternalServiceError", `The gradual rollout has no step ${r.step}.`);
    const t = now();
    // Only this rollout's responses: an earlier rollout of the service is not held against it.
    const m: VersionMeasure = await measure(ref, Math.max(1, Math.min(r.settings.windowMs, t - r.startedAt)));
    const seen = { ...step, requests: m.requests, errors5xx: m.errors5xx, ...(m.p99Ms !== undefined ? { p99Ms: m.p99Ms } : {}) };
    const d = decideRollout(r.settings, { step: r.step, stepStartedAt: step.startedAt }, m, t);
    const at = r.step;
    const steps: RolloutStepRecord[] = r.steps.map((s, i) => (i === at ? seen : s));
    if (d.action === "wait") {
      r = { ...r, steps };
      ctx.advance("rollout", { rollout: r });
      await sleep(ROLLOUT_LOOK_MS, undefined, { signal: ctx.signal }).catch(() => undefined);
      continue;
    }
    steps[r.step] = { ...seen, endedAt: t };
    if (d.action === "abort") {
      // Every client back to the serving version first; retiring the new one is the rollback's.
      await split(ref, 0, ctx.driverContext());
      const reason = `Gradual rollout aborted: ${d.reason} (threshold ${d.threshold}). Every client went back to deployment ${ctx.op.state.previousDeploymentId ?? ""}.`;
      ctx.advance("rollout", { rollout: { ...r, steps, status: "ABORTED", endedAt: t, reason } });
      tell(ctx, reason);
      throw new AppRunnerError("RolloutAborted", reason);
    }
    if (d.action === "promote") {
      const done: RolloutRecord = { ...r, steps, status: "PROMOTED", endedAt: t };
      tell(ctx, `Gradual rollout: deployment ${ref.deploymentId} promoted to 100% of traffic after ${r.settings.steps.length} step${r.settings.steps.length === 1 ? "" : "s"}.`);
      return ctx.advance(next, { rollout: done });
    }
    r = { ...r, step: d.step, steps: [...steps, { percent: d.percent, startedAt: t, requests: 0, errors5xx: 0 }] };
    await split(ref, d.percent, ctx.driverContext());
    ctx.advance("rollout", { rollout: r });
    tell(ctx, stepLine(r, ref.deploymentId));
  }
}
