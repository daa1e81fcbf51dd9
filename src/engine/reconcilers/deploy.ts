import type { ServiceDoc, ServiceStatus } from "../../domain/service-record.js";
import { operationEvent } from "../../domain/service-events.js";
import type { OperationType } from "../../store/operations.js";
import { newResourceId } from "../../domain/arns.js";
import { assertServiceKeyUsable } from "../../domain/service-encryption.js";
import { kmsKeyOf } from "../../store/resources.js";
import { requestOf, type OperationRequest, type RollbackRequest } from "../../domain/operation-request.js";
import { snapshotOf } from "../../domain/deployment-history.js";
import { pruneRetained } from "../../domain/deployment-records.js";
import { rollbackEvent, rollbackLogLine } from "./rollback-events.js";
import { rolloutRecordOf } from "../../domain/gradual-rollout-record.js";
import { rolloutLook, rolloutSettingsFor } from "./rollout.js";
import type { ResolvedArtifact } from "../artifact/types.js";
import { resolveDeploymentSecrets, secretReferencesOf } from "../secrets/deployment-secrets.js";
import type { OperationContext } from "../operation-context.js";
import { CANCELLED_BY_DELETE, reasonOf, type Reconciler } from "./types.js";

type DeployType = Extract<OperationType, "CREATE_SERVICE" | "UPDATE_SERVICE" | "START_DEPLOYMENT" | "RESUME_SERVICE">;

const TRIGGER: Record<DeployType, string> = {
  CREATE_SERVICE: "SERVICE_CREATE",
  UPDATE_SERVICE: "SERVICE_UPDATE",
  START_DEPLOYMENT: "MANUAL_DEPLOYMENT",
  RESUME_SERVICE: "SERVICE_RESUME",
};

const AUTO_DEPLOYMENTS_OFF =
  "Automatic deployments are turned off, so that the next image push or commit does not replace the rollback. UpdateService with AutoDeploymentsEnabled turns them on again.";

function sourceArtifactLine(doc: ServiceDoc): string {
  const image = doc.SourceConfiguration?.ImageRepository;
  if (image) return `Deployment Artifact: [Repo Type: ${image.ImageRepositoryType}], [Image URL: ${image.ImageIdentifier}]`;
  const code = doc.SourceConfiguration?.CodeRepository;
  if (code) {
    return `Deployment Artifact: [Repo Type: GIT], [Repository URL: ${code.RepositoryUrl}], [Branch: ${code.SourceCodeVersion?.Value}]`;
  }
  return "Deployment Artifact: none";
}

/**
 * Blue/green rollout shared by create, update, manual deployment and resume: resolve the image
 * (pull, build, or find again), start the new version beside the old, wait for health, switch
 * traffic, retire the old. On failure the new version is retired and the old one keeps serving.
 */
export function deployReconciler(type: DeployType): Reconciler {
  const started = operationEvent(type, "Started");
  return {
    phases: {
      start: async (ctx) => {
        const s = ctx.service();
        const deploymentId = ctx.op.state.deploymentId ?? newResourceId(ctx.deps.random);
        const rollback = rollbackOf(ctx, type);
        ctx.deps.store.tx(() => {
          ctx.begin(rollback ? rollbackEvent(rollback, "Started") : started, "artifact", { deploymentId, previousDeploymentId: s.internal.currentDeploymentId });
          ctx.log(`Deployment with ID : ${ctx.op.id} started. Triggering event : ${rollback ? "ROLLBACK" : (triggerOf(ctx, type) ?? TRIGGER[type])}`);
          if (rollback) ctx.log(rollbackLogLine(rollback, "Started"));
          if (rollback?.previous.SourceConfiguration?.AutoDeploymentsEnabled === true) ctx.log(AUTO_DEPLOYMENTS_OFF);
          ctx.log(sourceArtifactLine(s.doc));
        });
      },
      artifact: async (ctx) => {
        // A disabled key stops a new deployment before anything is pulled or built; what runs keeps serving.
        assertServiceKeyUsable(ctx.deps.keys, kmsKeyOf(ctx.service().doc));
        await resolveArtifact(ctx, type);
      },
      deploy: async (ctx) => {
        // An operation recorded before this phase existed resolves its artifact here.
        const artifact = ctx.op.state.artifact ?? (await resolveArtifact(ctx, type));
        const spec = ctx.deploymentSpec(deploymentIdOf(ctx), artifact);
        // Read now, at every deployment (a rotated secret reaches the next one), and handed to the driver only: never recorded.
        const secrets = await resolveDeploymentSecrets({
          resolver: ctx.deps.secrets,
          serviceArn: spec.serviceArn,
          instanceRoleArn: spec.instance.InstanceRoleArn,
          references: secretReferencesOf(ctx.service().doc, artifact),
          log: (line) => ctx.log(line),
        });
        await ctx.driver().deploy(secrets ? { ...spec, secrets } : spec, ctx.driverContext());
        ctx.advance("health");
      },
      health: async (ctx) => {
        await ctx.driver().waitHealthy(refOf(ctx), ctx.driverContext());
        ctx.advance("rollout");
      },
      rollout: async (ctx) => {
        // Gradual only when the service opted in and a serving version is replaced (not by a rollback: that should be immediate).
        const settings = rolloutRecordOf(ctx.op.state.rollout)?.settings ?? rolloutSettingsFor(ctx, type === "UPDATE_SERVICE" || (type === "START_DEPLOYMENT" && !rollbackOf(ctx, type)));
        if (settings) await rolloutLook(ctx, refOf(ctx), settings, "traffic");
        else ctx.advance("traffic");
      },
      traffic: async (ctx) => {
        await ctx.driver().shiftTraffic(refOf(ctx), ctx.driverContext());
        ctx.advance("retire-previous");
      },
      "retire-previous": async (ctx) => {
        const previous = ctx.op.state.previousDeploymentId;
        if (previous && previous !== deploymentIdOf(ctx)) {
          try {
            await ctx.driver().retire({ serviceId: refOf(ctx).serviceId, deploymentId: previous }, ctx.driverContext());
          } catch (err) {
            // The new version serves already; a leftover old instance is logged, not a failed deployment.
            ctx.deps.logger("retiring the previous deployment failed", { operationId: ctx.op.id, error: reasonOf(err) });
          }
        }
        const rollback = rollbackOf(ctx, type);
        if (rollback) ctx.log(rollbackLogLine(rollback, "CompletedSuccessfully"));
        ctx.log(`Deployment with ID : ${ctx.op.id} completed successfully.`);
        const deploymentId = deploymentIdOf(ctx);
        const imageDigest = ctx.op.state.imageDigest ?? ctx.service().internal.currentImageDigest ?? null;
        const commit = ctx.op.state.commit ?? ctx.service().internal.currentCommit ?? null;
        ctx.finish({
          opStatus: "SUCCEEDED",
          serviceStatus: "RUNNING",
          event: rollback
            ? rollbackEvent(rollback, "CompletedSuccessfully")
            : operationEvent(type, "CompletedSuccessfully", { sourceChanged: updateOf(ctx, type)?.sourceChanged !== false }),
          mutate: (s) => {
            s.internal = { ...s.internal, currentDeploymentId: deploymentId, currentImageDigest: imageDigest, currentCommit: commit };
          },
          // Kept for a rollback, with the success: the configuration it ran with (the image is its artifact).
          state: { deployed: snapshotOf(ctx.service().doc) },
        });
        // Past retention, older deployments lose their snapshot (a crash before this: the next success prunes).
        ctx.deps.store.tx(() => pruneRetained(ctx.deps.store, ctx.op.serviceArn, ctx.op.id));
      },
      rollback: async (ctx) => {
        const reason = ctx.op.state.error ?? "unknown error";
        const cancelled = reason === CANCELLED_BY_DELETE;
        try {
          await ctx.driver().retire(refOf(ctx), ctx.driverContext());
        } catch (err) {
          ctx.deps.logger("retiring a failed deployment failed", { operationId: ctx.op.id, error: reasonOf(err) });
        }
        const previous = ctx.op.state.previousDeploymentId ?? null;
        let rollbackFailed = false;
        if (previous && !cancelled && type !== "RESUME_SERVICE") {
          try {
            await ctx.driver().shiftTraffic({ serviceId: refOf(ctx).serviceId, deploymentId: previous }, ctx.driverContext());
          } catch (err) {
            rollbackFailed = true;
            ctx.log(`Rollback to the previous deployment failed: ${reasonOf(err)}`);
          }
        }
        ctx.log(`Deployment with ID : ${ctx.op.id} failed. Failure reason : ${reason}`);
        finishFailed(ctx, type, { cancelled, previous, rollbackFailed, reason });
      },
    },
    fail(ctx, reason) {
      const rollsBack = type === "UPDATE_SERVICE" || type === "START_DEPLOYMENT";
      ctx.advance("rollback", { error: reason }, rollsBack && ctx.op.state.previousDeploymentId ? "ROLLBACK_IN_PROGRESS" : undefined);
    },
  };
}

/**
 * The artifact phase: the image to run, recorded on the operation before the driver sees it.
 * Idempotent: after a crash it resolves again (a pull finds what it already has). The image is
 * held against a prune from before it is found until the operation names it; from then on an
 * open operation's artifact is kept.
 */
async function resolveArtifact(ctx: OperationContext, type: DeployType): Promise<ResolvedArtifact> {
  // Resume brings back the digest that ran before the pause, a rollback its deployment's; every other trigger resolves the tag.
  const rollback = rollbackOf(ctx, type);
  const pinned = type === "RESUME_SERVICE" ? (ctx.service().internal.currentImageDigest ?? undefined) : rollback?.imageDigest;
  const { artifacts } = ctx.deps;
  return artifacts.hold(async () => {
    const artifact = await artifacts.resolve(ctx.artifactRequest(deploymentIdOf(ctx), pinned, rollback ? "rollback" : "resume"), ctx.artifactContext());
    ctx.advance("deploy", { artifact, imageDigest: artifact.digest, ...(artifact.commit ? { commit: artifact.commit } : {}) });
    return artifact;
  });
}

function finishFailed(
  ctx: OperationContext,
  type: DeployType,
  f: { cancelled: boolean; previous: string | null; rollbackFailed: boolean; reason: string },
): void {
  const rollback = rollbackOf(ctx, type);
  const event = rollback ? rollbackEvent(rollback, "Failed") : operationEvent(type, "Failed");
  if (rollback) ctx.log(rollbackLogLine(rollback, "Failed"));
  const current = ctx.service().status as ServiceStatus;
  const restore = updateOf(ctx, type)?.previous ?? rollback?.previous;
  const mutate = restore
    ? (s: { doc: ServiceDoc }) => {
        s.doc = { ...s.doc, ...restore };
      }
    : undefined;
  if (f.cancelled) {
    ctx.finish({ opStatus: "FAILED", serviceStatus: current, event, error: f.reason, mutate });
    return;
  }
  switch (type) {
    case "CREATE_SERVICE":
      ctx.finish({ opStatus: "FAILED", serviceStatus: "CREATE_FAILED", event, error: f.reason });
      return;
    case "RESUME_SERVICE":
      ctx.finish({ opStatus: "FAILED", serviceStatus: "PAUSED", event, error: f.reason });
      return;
    default:
      if (!f.previous) {
        // Nothing ever served (an update of a service whose creation failed): it stays failed.
        ctx.finish({ opStatus: "FAILED", serviceStatus: "CREATE_FAILED", event, error: f.reason, mutate });
        return;
      }
      ctx.finish({
        opStatus: f.rollbackFailed ? "ROLLBACK_FAILED" : "ROLLBACK_SUCCEEDED",
        serviceStatus: "RUNNING",
        event,
        error: f.reason,
        mutate,
      });
  }
}

function deploymentIdOf(ctx: OperationContext): string {
  const id = ctx.op.state.deploymentId;
  if (!id) throw new Error(`operation ${ctx.op.id} has no deployment id`);
  return id;
}

function refOf(ctx: OperationContext): { serviceId: string; deploymentId: string } {
  return { serviceId: ctx.service().doc.ServiceId ?? "", deploymentId: deploymentIdOf(ctx) };
}

/** What UpdateService asked, for an update; read from the operation's stored request. */
function updateOf(ctx: OperationContext, type: DeployType): OperationRequest<"UPDATE_SERVICE"> | undefined {
  const req = requestOf(type, ctx.op.state);
  return req.type === "UPDATE_SERVICE" ? req : undefined;
}

/** What RollbackService asked, for a rollback (a START_DEPLOYMENT of a retained deployment). */
function rollbackOf(ctx: OperationContext, type: DeployType): RollbackRequest | undefined {
  const req = requestOf(type, ctx.op.state);
  return req.type === "START_DEPLOYMENT" ? req.rollback : undefined;
}

function triggerOf(ctx: OperationContext, type: DeployType): string | undefined {
  const req = requestOf(type, ctx.op.state);
  return req.type === "START_DEPLOYMENT" ? req.trigger : undefined;
}
