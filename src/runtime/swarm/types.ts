/*
 * The Swarm driver's contract with the composition (src/swarm-runtime.ts) and the tests. Each
 * App Runner deployment is one Swarm service (endpoint mode dnsrr on the driver's overlay
 * network, the app's port published in host mode on a port Docker picks per task); the data
 * plane (HAProxy, src/router/) reaches every task at its node's address and that port, so
 * nothing depends on the routing mesh (no IPVS here). Labels tie each Swarm service to its App
 * Runner service and deployment, so a restarted control plane adopts what runs.
 */
import type { LogSink } from "../../telemetry/log-sink.js";
import type { ServiceIdentity } from "../../telemetry/service-events.js";
import type { TrafficRouter } from "../../router/types.js";
import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";
import type { DeploymentImage } from "../driver.js";
import type { EngineApi } from "./engine-api.js";

/** Labels on every Swarm service (and its tasks' containers) the driver makes. */
export const LABELS = {
  /** The control plane that owns it: the data directory's runtime prefix (two control planes can share a swarm). */
  owner: "openrunner.owner",
  serviceId: "openrunner.service-id",
  serviceArn: "openrunner.service-arn",
  serviceName: "openrunner.service-name",
  deploymentId: "openrunner.deployment-id",
  operationId: "openrunner.operation-id",
  /** starting | serving | standby: a service-level label, so changing it restarts no task. */
  role: "openrunner.role",
  /** The DeploymentSpec's settings the driver needs again after a restart (JSON). */
  settings: "openrunner.settings",
} as const;

/** How the nodes pull a deployment's image: a reference by digest and, for a private registry, credentials. */
export interface NodePull {
  /** `host[:port]/repository@sha256:...`: exactly the digest the engine resolved. */
  reference: string;
  /** Sent as X-Registry-Auth with the service (`--with-registry-auth`): Docker gives it to the nodes that run tasks. */
  auth?: { username: string; password: string; serveraddress: string };
}

export interface SwarmDriverOptions {
  /** The swarm manager's Engine API (negotiated version). */
  api: EngineApi;
  /** Names everything the driver makes in the swarm (`<owner>-...`) and its `openrunner.owner` label. */
  owner: string;
  /** Where the nodes pull a resolved image from; throws (AppRunnerError) when they cannot. */
  pullOf(image: DeploymentImage): Promise<NodePull>;
  clock: Clock;
  random: Random;
  /** Application log lines: each task's stdout/stderr to `instance/<task-id>`. */
  logs: LogSink;
  /** A line in the service's `events` stream: task exits, reschedules. */
  serviceEvent: (service: ServiceIdentity, message: string) => void;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** The data plane; without one, tasks are reached at their published addresses only. */
  router?: TrafficRouter;
  /** How long new tasks have to pass their health check: App Runner's 5 minutes. */
  startupBudgetMs?: number;
  /** SIGTERM, then this long, then SIGKILL, when a task stops (5 s by default, as the local driver). */
  stopGraceMs?: number;
  /** How often tasks are listed to update routes and find exits (1 s by default). */
  watchMs?: number;
}

/** One running task as tests, the console and the router see it. */
export interface SwarmInstanceView {
  /** The task id: also the instance id in logs (`instance/<task-id>`) and in the router. */
  instanceId: string;
  deploymentId: string;
  serviceId: string;
  /** The node's hostname, as `docker node ls` shows it. */
  node: string;
  /** Where the data plane reaches it: the node's address and the port published for the task. */
  address: string;
  port: number;
  healthy: boolean;
  serving: boolean;
}
