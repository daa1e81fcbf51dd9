import { invalidState, notFound } from "../errors/app-runner-error.js";
import type { PreviousConfiguration } from "./operation-request.js";
import type { ServiceDoc } from "./service-record.js";

/**
 * The successful deployments a service can roll back to: each keeps the image digest it ran
 * and the configuration it ran with (secrets are references, resolved again at deploy time).
 * The last RETAINED_DEPLOYMENTS of each service are kept; older ones lose their snapshot when
 * a newer deployment succeeds, and their images stop counting as in use.
 */
export const RETAINED_DEPLOYMENTS = 10;

/** What a successful deployment keeps so it can run again without a pull or a build. */
export interface DeploymentSnapshot {
  /** The configuration the deployment ran with: what a rollback writes back on the service. */
  configuration: PreviousConfiguration;
}

/** A retained successful deployment, as ListServiceDeployments shows it. */
export interface RetainedDeployment {
  /** The id users know the deployment by: its operation's (the deployment log's "Deployment with ID"). */
  deploymentId: string;
  /** Seconds since the epoch when it started serving. */
  completedAt: number;
  imageDigest: string;
  /** The manifest the image runs, kept from a prune while the deployment is retained. */
  manifestDigest: string;
  /** Where the image came from, as it was resolved: its identifier (a tag, or where a build was kept). */
  imageIdentifier: string;
  /** For a code service: the commit built. */
  commit?: string;
  snapshot: DeploymentSnapshot;
}

/** The configuration `doc` runs with now: what a successful deployment of it keeps. */
export function snapshotOf(doc: ServiceDoc): DeploymentSnapshot {
  return {
    configuration: {
      SourceConfiguration: doc.SourceConfiguration,
      InstanceConfiguration: doc.InstanceConfiguration,
      HealthCheckConfiguration: doc.HealthCheckConfiguration,
      AutoScalingConfigurationSummary: doc.AutoScalingConfigurationSummary,
      NetworkConfiguration: doc.NetworkConfiguration,
      ObservabilityConfiguration: doc.ObservabilityConfiguration,
    },
  };
}

/**
 * Which deployments stay retained, given a service's successful deployments newest first: the
 * first `keep`, plus the one serving now whatever its age (a rollback to an old one makes it
 * current; it must not lose its snapshot while it serves). Returns the ids to drop.
 */
export function deploymentsToDrop(newestFirst: readonly { deploymentId: string }[], currentId: string | undefined, keep = RETAINED_DEPLOYMENTS): string[] {
  return newestFirst.slice(keep).map((d) => d.deploymentId).filter((id) => id !== currentId);
}

/**
 * The deployment a rollback deploys: `requested` when given (it must be retained), else the
 * newest retained one that is not serving now ("the one before the current").
 * Throws ResourceNotFoundException when there is none.
 */
export function rollbackTarget(newestFirst: readonly RetainedDeployment[], currentId: string | undefined, requested?: string): RetainedDeployment {
  if (requested !== undefined) {
    const found = newestFirst.find((d) => d.deploymentId === requested);
    if (!found) throw notFound(`Deployment ${requested} is not a retained successful deployment of this service.`);
    if (found.deploymentId === currentId) throw invalidState(`Deployment ${requested} is the one serving now.`);
    return found;
  }
  const before = newestFirst.find((d) => d.deploymentId !== currentId);
  if (!before) throw notFound("The service has no earlier successful deployment to roll back to.");
  return before;
}
