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
import { publicDeploymentId } from "../../domain/deployment-records.js";
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

/** The deployment serving before this one, by the id users see (its operation's). */
const previousOf = (ctx: OperationContext): string => publicDeploymentId(ctx.deps.store, ctx.op.serviceArn, ctx.op.state.previousDeploymentId ?? "");

/** Says it in the deployment log and the service's events. */
function tell(ctx: OperationContext, line: string): void {
  ctx.log(line);
  ctx.deps.events.eventsLine(ctx.identity(), line);
}

/**
 * The percent each driver was last told per operation, in this process: a driver keeps splits
 * in memory only, so a restarted control plane (or another driver) is told again.
 */
const told = new WeakMap<object, Map<string, number>>();

async function splitOnce(ctx: OperationContext, ref: DeploymentRef, percent: number): Promise<void> {
  const driver = ctx.driver();
  const mine = told.get(driver) ?? new Map<string, number>();
  told.set(driver, mine);
  if (mine.get(ctx.op.id) === percent) return;
  if (!driver.splitTraffic) throw new AppRunnerError("InternalServiceError", `The ${driver.name} runtime cannot split traffic.`);
  await driver.splitTraffic(ref, percent, ctx.driverContext());
  if (percent === 0) mine.delete(ctx.op.id);
  else mine.set(ctx.op.id, percent);
}

/**
 * One look at the rollout: start it, or measure, decide and act, then rest ROLLOUT_LOOK_MS. The
 * engine runs the phase again until it moves on (to `next` once promoted), so a stopping engine
 * leaves it between two looks and the next start resumes it. An abort sends every client back
 * and throws RolloutAborted (the deployment's rollback path retires the new version).
 */
export async function rolloutLook(ctx: OperationContext, ref: DeploymentRef, settings: RolloutSettings, next: string): Promise<void> {
  const driver = ctx.driver();
  if (!driver.measureSplit) throw new AppRunnerError("InternalServiceError", `The ${driver.name} runtime cannot measure a split.`);
  const t = ctx.deps.clock.now();
  let r = rolloutRecordOf(ctx.op.state.rollout);
  if (!r) {
    r = { settings, status: "IN_PROGRESS", step: 0, steps: [{ percent: settings.steps[0] ?? 0, startedAt: t, requests: 0, errors5xx: 0 }], startedAt: t };
    await splitOnce(ctx, ref, r.steps[0]?.percent ?? 0);
    ctx.advance("rollout", { rollout: r });
    tell(ctx, stepLine(r, ctx.op.id));
    return;
  }
  if (r.status === "PROMOTED") return ctx.advance(next);
  const step = r.steps[r.step];
  if (!step || r.status !== "IN_PROGRESS") throw new AppRunnerError("RolloutAborted", r.reason ?? "The gradual rollout ended without a promotion.");
  await splitOnce(ctx, ref, step.percent);
  // Only this rollout's responses: an earlier rollout of the service is not held against it.
  const m: VersionMeasure = await driver.measureSplit(ref, Math.max(1, Math.min(r.settings.windowMs, t - r.startedAt)));
  const seen = { ...step, requests: m.requests, errors5xx: m.errors5xx, ...(m.p99Ms !== undefined ? { p99Ms: m.p99Ms } : {}) };
  const d = decideRollout(r.settings, { step: r.step, stepStartedAt: step.startedAt }, m, t);
  const at = r.step;
  const steps: RolloutStepRecord[] = r.steps.map((x, i) => (i === at ? seen : x));
  if (d.action === "wait") {
    ctx.advance("rollout", { rollout: { ...r, steps } });
    await sleep(ROLLOUT_LOOK_MS, undefined, { signal: ctx.signal }).catch(() => undefined);
    return;
  }
  steps[at] = { ...seen, endedAt: t };
  if (d.action === "abort") {
    // Every client back to the serving version first; retiring the new one is the rollback's.
    await splitOnce(ctx, ref, 0);
    const reason = `Gradual rollout aborted: ${d.reason} (threshold ${d.threshold}). Every client went back to deployment ${previousOf(ctx)}.`;
    ctx.advance("rollout", { rollout: { ...r, steps, status: "ABORTED", endedAt: t, reason } });
    tell(ctx, reason);
    throw new AppRunnerError("RolloutAborted", reason);
  }
  if (d.action === "promote") {
    const n = r.settings.steps.length;
    told.get(driver)?.delete(ctx.op.id); // shiftTraffic ends the driver's split
    tell(ctx, `Gradual rollout: deployment ${ctx.op.id} promoted to 100% of traffic after ${n} step${n === 1 ? "" : "s"}.`);
    return ctx.advance(next, { rollout: { ...r, steps, status: "PROMOTED", endedAt: t } });
  }
  const stepped: RolloutRecord = { ...r, step: d.step, steps: [...steps, { percent: d.percent, startedAt: t, requests: 0, errors5xx: 0 }] };
  await splitOnce(ctx, ref, d.percent);
  ctx.advance("rollout", { rollout: stepped });
  tell(ctx, stepLine(stepped, ctx.op.id));
}
