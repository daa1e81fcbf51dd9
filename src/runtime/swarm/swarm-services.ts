/**
 * The Engine API calls the driver makes about its owner's Swarm services: the overlay
 * network, creating, reading, updating and removing the services that are deployments, and
 * what their tasks left (stopped or not, last output).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { Clock } from "../../util/clock.js";
import { EngineApiError, type EngineApi } from "./engine-api.js";
import { filters, TERMINAL_TASK_STATES, type ServiceSpec, type SwarmService, type SwarmTask } from "./engine-types.js";
import { decodeLogs } from "./log-frames.js";
import { deploymentOf, type SwarmDeployment } from "./service-spec.js";
import { LABELS } from "./types.js";

/** How long a removal waits for the service's tasks to stop before it goes on (and says so). */
const TASKS_GONE_MS = 60_000;

export class SwarmServices {
  constructor(
    private readonly api: EngineApi,
    private readonly owner: string,
    private readonly clock: Clock,
    private readonly logger: (message: string, fields?: Record<string, unknown>) => void,
  ) {}

  /** The swarm node id of the daemon the API reaches; fails clearly when it is in no swarm. */
  async localNode(): Promise<string> {
    const info = await this.api.call<{ Swarm?: { NodeID?: string; LocalNodeState?: string } }>({ path: "/info" });
    const id = info.Swarm?.NodeID;
    if (!id) {
      throw new AppRunnerError(
        "RuntimeUnavailable",
        `The Docker daemon at ${this.api.endpoint} is not part of a swarm (${info.Swarm?.LocalNodeState || "inactive"}): run \`docker swarm init\` on it, or point OpenRunner at a manager.`,
      );
    }
    return id;
  }

  /** The overlay network every deployment joins (named after the owner): attachable, so tools and tests can join it too. */
  async ensureNetwork(): Promise<void> {
    const name = this.owner;
    const found = await this.api.call<{ Name: string }[]>({ path: "/networks", query: { filters: filters({ name: [name] }) } });
    if (found.some((n) => n.Name === name)) return;
    await this.api.call({
      method: "POST",
      path: "/networks/create",
      body: { Name: name, Driver: "overlay", Attachable: true, CheckDuplicate: true, Labels: { [LABELS.owner]: name } },
    });
  }

  async create(spec: ServiceSpec, headers: Record<string, string>): Promise<SwarmDeployment> {
    const created = await this.api.call<{ ID: string }>({ method: "POST", path: "/services/create", body: spec, headers });
    return this.read(created.ID);
  }

  async read(swarmId: string): Promise<SwarmDeployment> {
    const service = await this.api.call<SwarmService>({ path: `/services/${swarmId}` });
    const d = deploymentOf(service, this.owner);
    if (!d) throw new AppRunnerError("InternalServiceError", `Swarm service ${swarmId} lost the labels that make it a deployment.`);
    return d;
  }

  /** Changes a service from its current version (the registry credentials it was created with stay). */
  async update(d: SwarmDeployment, change: (spec: ServiceSpec) => ServiceSpec): Promise<SwarmDeployment> {
    const current = await this.api.call<SwarmService>({ path: `/services/${d.swarmId}` });
    await this.api.call({ method: "POST", path: `/services/${d.swarmId}/update`, query: { version: current.Version.Index }, body: change(current.Spec) });
    return this.read(d.swarmId);
  }

  /** The owner's deployments with these labels, straight from the swarm. */
  async list(labels: Record<string, string>): Promise<SwarmDeployment[]> {
    const label = [`${LABELS.owner}=${this.owner}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)];
    const services = await this.api.call<SwarmService[]>({ path: "/services", query: { filters: filters({ label }) } });
    return services.map((s) => deploymentOf(s, this.owner)).filter((d): d is SwarmDeployment => d !== undefined);
  }

  /** Removes the service (gone already is fine) and waits, bounded, until its tasks stopped. */
  async remove(d: SwarmDeployment): Promise<void> {
    try {
      await this.api.call({ method: "DELETE", path: `/services/${d.swarmId}` });
    } catch (err) {
      if (!(err instanceof EngineApiError && err.status === 404)) throw err;
    }
    const until = this.clock.now() + TASKS_GONE_MS;
    for (;;) {
      const tasks = await this.api.call<SwarmTask[]>({ path: "/tasks", query: { filters: filters({ label: [`${LABELS.deploymentId}=${d.deploymentId}`] }) } });
      const left = tasks.filter((t) => !TERMINAL_TASK_STATES.has(t.Status.State));
      if (left.length === 0) return;
      if (this.clock.now() > until) {
        this.logger("tasks of a removed Swarm service are still stopping", { deploymentId: d.deploymentId, tasks: left.map((t) => t.ID) });
        return;
      }
      await sleep(250);
    }
  }

  /** A task's last lines of output (stdout and stderr), so a deployment log says why it exited. */
  async lastOutput(taskId: string, lines = 10): Promise<string[]> {
    const res = await this.api.stream({ path: `/tasks/${taskId}/logs`, query: { stdout: 1, stderr: 1, tail: lines }, signal: AbortSignal.timeout(10_000) });
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return decodeLogs(Buffer.concat(chunks)).map((l) => l.text);
  }
}
