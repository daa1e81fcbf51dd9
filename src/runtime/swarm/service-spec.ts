/**
 * Pure: one App Runner deployment as one Swarm service, and back. The service's labels are the
 * driver's only record (no files): a restarted control plane reads every deployment, its role
 * and the settings the data plane needs from them.
 */
import type { HealthCheckConfiguration } from "@aws-sdk/client-apprunner";
import type { Wire } from "../../protocol/wire.js";
import type { DeploymentImage, DeploymentSpec } from "../driver.js";
import { runSettings } from "../instance-plan.js";
import type { ServiceSpec, SwarmService } from "./engine-types.js";
import { LABELS, type NodePull } from "./types.js";

/** SIGTERM, then this long, then SIGKILL (as the local driver's default), unless the driver is told otherwise. */
export const STOP_GRACE_MS = 5_000;
/** Swarm waits this long before it restarts a task that exited. */
export const RESTART_DELAY_MS = 1_000;

export type DeploymentRole = "starting" | "serving" | "standby";

/** What the driver needs again of a deployment after a restart, beyond what the ServiceSpec says (the `settings` label). */
export interface DeploymentSettings {
  image: DeploymentImage;
  port: number;
  hosts: string[];
  tracing: boolean;
  minSize: number;
  maxSize: number;
  maxConcurrency: number;
  healthCheck: Wire<HealthCheckConfiguration>;
}

/** A deployment as the swarm holds it. */
export interface SwarmDeployment {
  /** The Swarm service's id. */
  swarmId: string;
  /** Version.Index: an update must name the version it changes. */
  version: number;
  spec: ServiceSpec;
  serviceId: string;
  serviceName: string;
  serviceArn: string;
  deploymentId: string;
  operationId: string;
  role: DeploymentRole;
  /** Replicas. */
  desired: number;
  settings: DeploymentSettings;
  createdAt: string;
}

/** `<owner>-<serviceId[0:12]>-<deploymentId[0:8]>`: within a DNS label's 63 characters, unique per deployment. */
export function swarmServiceName(owner: string, serviceId: string, deploymentId: string): string {
  return `${owner}-${serviceId.slice(0, 12)}-${deploymentId.slice(0, 8)}`.toLowerCase();
}

export interface ServiceSpecInput {
  spec: DeploymentSpec;
  pull: NodePull;
  owner: string;
  /** The driver's overlay network. */
  network: string;
  replicas: number;
  role: DeploymentRole;
  /** SIGTERM, then this long, then SIGKILL (STOP_GRACE_MS by default). */
  stopGraceMs?: number;
}

export function settingsOf(spec: DeploymentSpec): DeploymentSettings {
  return {
    image: spec.image,
    port: runSettings(spec).port,
    hosts: spec.hosts,
    tracing: spec.tracing,
    minSize: spec.autoScaling.minSize,
    maxSize: spec.autoScaling.maxSize,
    maxConcurrency: spec.autoScaling.maxConcurrency,
    healthCheck: spec.healthCheck,
  };
}

/**
 * The ServiceSpec of a deployment: the image by digest, StartCommand as Args (the image's
 * ENTRYPOINT stays, as `docker run IMAGE CMD...`), PORT and the environment, CPU and memory as
 * limits and reservations (the scheduler places a task only where its size fits), restarts
 * after exits, tasks spread over nodes, DNS round robin on the overlay network and the app's
 * port published on each task's node (no routing mesh: kernels without IPVS lack it).
 */
export function buildServiceSpec(input: ServiceSpecInput): ServiceSpec {
  const { spec, pull, owner } = input;
  const run = runSettings(spec);
  const labels: Record<string, string> = {
    [LABELS.owner]: owner,
    [LABELS.serviceId]: spec.serviceId,
    [LABELS.serviceArn]: spec.serviceArn,
    [LABELS.serviceName]: spec.serviceName,
    [LABELS.deploymentId]: spec.deploymentId,
    [LABELS.operationId]: spec.operationId,
  };
  const size = { NanoCPUs: run.cpuMillicores * 1_000_000, MemoryBytes: run.memoryBytes };
  return {
    Name: swarmServiceName(owner, spec.serviceId, spec.deploymentId),
    Labels: { ...labels, [LABELS.role]: input.role, [LABELS.settings]: JSON.stringify(settingsOf(spec)) },
    TaskTemplate: {
      ContainerSpec: {
        Image: pull.reference,
        ...(run.startArgs ? { Args: run.startArgs } : {}),
        Env: [...run.env].map(([k, v]) => `${k}=${v}`),
        Labels: labels,
        StopGracePeriod: (input.stopGraceMs ?? STOP_GRACE_MS) * 1_000_000,
      },
      Resources: { Limits: size, Reservations: size },
      RestartPolicy: { Condition: "any", Delay: RESTART_DELAY_MS * 1_000_000 },
      Placement: { Preferences: [{ Spread: { SpreadDescriptor: "node.id" } }] },
      Networks: [{ Target: input.network }],
    },
    Mode: { Replicated: { Replicas: input.replicas } },
    EndpointSpec: { Mode: "dnsrr", Ports: [{ Protocol: "tcp", TargetPort: run.port, PublishMode: "host" }] },
  };
}

/**
 * The X-Registry-Auth header for a private registry: JSON in URL-safe base64 WITH padding, as
 * the CLI's `--with-registry-auth` sends it. The daemon decodes it with Go's padded
 * base64.URLEncoding; without the padding the last bytes are lost, the JSON is cut short, and
 * the nodes pull with no credentials at all ("invalid authconfig: unexpected EOF").
 */
export function registryAuthHeaders(pull: NodePull): Record<string, string> {
  if (!pull.auth) return {};
  const encoded = Buffer.from(JSON.stringify(pull.auth)).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
  return { "X-Registry-Auth": encoded };
}

const ROLES: ReadonlySet<string> = new Set(["starting", "serving", "standby"]);

/** A Swarm service read back as a deployment of `owner`; undefined for one that is not (or whose labels are damaged). */
export function deploymentOf(service: SwarmService, owner: string): SwarmDeployment | undefined {
  const l = service.Spec.Labels ?? {};
  if (l[LABELS.owner] !== owner) return undefined;
  const role = l[LABELS.role] ?? "";
  const serviceId = l[LABELS.serviceId];
  const deploymentId = l[LABELS.deploymentId];
  if (!serviceId || !deploymentId || !ROLES.has(role)) return undefined;
  let settings: DeploymentSettings;
  try {
    settings = JSON.parse(l[LABELS.settings] ?? "") as DeploymentSettings;
  } catch {
    return undefined;
  }
  return {
    swarmId: service.ID,
    version: service.Version.Index,
    spec: service.Spec,
    serviceId,
    serviceName: l[LABELS.serviceName] ?? "",
    serviceArn: l[LABELS.serviceArn] ?? "",
    deploymentId,
    operationId: l[LABELS.operationId] ?? "",
    role: role as DeploymentRole,
    desired: service.Spec.Mode?.Replicated?.Replicas ?? 0,
    settings,
    createdAt: service.CreatedAt,
  };
}

/** The same spec with another role (a service-level label: no task restarts). */
export function withRole(spec: ServiceSpec, role: DeploymentRole): ServiceSpec {
  return { ...spec, Labels: { ...spec.Labels, [LABELS.role]: role } };
}

export function withReplicas(spec: ServiceSpec, replicas: number): ServiceSpec {
  return { ...spec, Mode: { Replicated: { Replicas: replicas } } };
}

/** As App Runner, a deployment starts as many instances as serve now, within its own bounds. */
export function initialReplicas(autoScaling: DeploymentSpec["autoScaling"], servingNow: number | undefined): number {
  return Math.min(autoScaling.maxSize, Math.max(1, autoScaling.minSize, servingNow ?? 0));
}
