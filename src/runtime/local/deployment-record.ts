import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { ImageStore } from "../../images/types.js";
import type { DeploymentSpec } from "../driver.js";
import { makeInstancePlan } from "../instance-plan.js";
import { resolveImageUser } from "./image-user.js";
import type { DeploymentRecord } from "./records.js";

/**
 * A new deployment's record from its spec and the image the engine resolved (on this host by
 * now). `servingDesired`: how many instances serve now; as App Runner, a deployment starts as
 * many (provisioned doubles meanwhile).
 */
export async function deploymentRecordOf(spec: DeploymentSpec, images: ImageStore, now: number, servingDesired: number): Promise<DeploymentRecord> {
  const image = await images.get(spec.image.digest);
  if (!image) {
    throw new AppRunnerError("InstanceFailed", `The image ${spec.image.identifier} (${spec.image.digest}) is not on this host.`);
  }
  const plan = makeInstancePlan(spec, image.config);
  const { uid, gid } = resolveImageUser(image.rootfs, plan.user);
  return {
    deploymentId: spec.deploymentId,
    serviceId: spec.serviceId,
    serviceName: spec.serviceName,
    serviceArn: spec.serviceArn,
    operationId: spec.operationId,
    imageIdentifier: spec.image.identifier,
    resolvedDigest: spec.image.digest,
    manifestDigest: image.manifestDigest,
    imageRootfs: image.rootfs,
    plan,
    uid,
    gid,
    healthCheck: spec.healthCheck,
    desired: Math.min(spec.autoScaling.maxSize, Math.max(1, spec.autoScaling.minSize, servingDesired)),
    minSize: spec.autoScaling.minSize,
    maxSize: spec.autoScaling.maxSize,
    maxConcurrency: spec.autoScaling.maxConcurrency,
    hosts: spec.hosts,
    tracing: spec.tracing,
    ...(spec.instance.InstanceRoleArn ? { instanceRoleArn: spec.instance.InstanceRoleArn } : {}),
    role: "starting",
    createdAt: now,
  };
}
