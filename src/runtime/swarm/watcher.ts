/**
 * The driver's view of the swarm, kept current by one periodic pass: the owner's Swarm
 * services (its deployments), their tasks and the nodes. Each pass starts a health checker and
 * a log follower for every task that runs, stops those of tasks that ended, tells the service's
 * events stream about tasks that exited, and then lets the driver bring routes up to date.
 */
import { HealthChecker } from "../health/health-checker.js";
import type { HealthVerdict } from "../health/health-state.js";
import { applicationLogGroup, instanceStream } from "../../telemetry/log-groups.js";
import type { ServiceIdentity } from "../../telemetry/service-events.js";
import { PeriodicTask } from "../../util/periodic-task.js";
import { filters, type SwarmNode, type SwarmService, type SwarmTask } from "./engine-types.js";
import { TaskLogFollower } from "./log-follower.js";
import { deploymentOf, type SwarmDeployment } from "./service-spec.js";
import { endedMessage, endedOnItsOwn, runningInstances, strandedTasks, type TaskInstance } from "./task-view.js";
import { LABELS, type SwarmDriverOptions } from "./types.js";

/** A running task with what the driver knows of it. */
export interface WatchedInstance extends TaskInstance {
  deployment: SwarmDeployment;
  healthy: boolean;
  /** Found running by the first pass after a start: it served before, so it stays routed until a check fails. */
  adopted: boolean;
}

interface Probe {
  checker: HealthChecker;
  key: string;
}

/** How long the log stream of a task that ended may still bring its last lines. */
const LAST_LINES_MS = 5_000;

export const identity = (d: SwarmDeployment): ServiceIdentity => ({ name: d.serviceName, id: d.serviceId, arn: d.serviceArn });

/** What the driver may add to the watcher's schedule and exits (scale to zero). */
export interface WatcherHooks {
  /** The wait before the next pass when shorter than watchMs (a wake waits for its first task). */
  nextPassInMs?: () => number | undefined;
  /** A task of a deployment ended on its own, with its last health verdict (undefined: never checked). */
  ended?: (d: SwarmDeployment, task: SwarmTask, verdict: HealthVerdict | undefined) => void;
}

export class SwarmWatcher {
  private readonly task: PeriodicTask;
  private readonly byDeployment = new Map<string, SwarmDeployment>();
  private tasks: SwarmTask[] = [];
  private nodes = new Map<string, SwarmNode>();
  private running: TaskInstance[] = [];
  private readonly probes = new Map<string, Probe>();
  private readonly followers = new Map<string, TaskLogFollower>();
  private readonly adopted = new Set<string>();
  /** Tasks whose end was told (or that had ended before the first pass). */
  private readonly told = new Set<string>();
  private passes = 0;
  /** Deployments being removed, until their Swarm service is no longer listed. */
  private readonly removing = new Set<string>();
  /** Bumped by every change the driver makes: a pass that listed services before it keeps the driver's version. */
  private generation = 0;

  constructor(
    private readonly opts: SwarmDriverOptions,
    /** After every pass: routes follow the tasks. */
    private readonly afterPass: () => Promise<void>,
    private readonly hooks: WatcherHooks = {},
  ) {
    const everyMs = opts.watchMs ?? 1000;
    this.task = new PeriodicTask({
      name: "swarm task watcher",
      everyMs,
      firstRunMs: 0,
      nextRunInMs: () => Math.min(everyMs, hooks.nextPassInMs?.() ?? everyMs),
      run: () => this.pass(),
      logger: opts.logger,
      context: { owner: opts.owner },
    });
  }

  /** Starts watching; resolves after the first pass (what runs is adopted). */
  async start(): Promise<void> {
    this.task.start();
    await this.task.runNow();
  }

  async stop(): Promise<void> {
    await this.task.stop();
    for (const p of this.probes.values()) p.checker.stop();
    this.probes.clear();
    for (const f of this.followers.values()) f.stop();
    this.followers.clear();
  }

  /** A pass that starts after this call, done. */
  async refresh(): Promise<void> {
    await this.task.runNow();
  }

  /** A pass soon (a verdict changed). */
  soon(): void {
    this.task.runSoon();
  }

  deployments(): SwarmDeployment[] {
    return [...this.byDeployment.values()];
  }

  deployment(deploymentId: string): SwarmDeployment | undefined {
    return this.byDeployment.get(deploymentId);
  }

  /** The driver created or changed a deployment. */
  put(d: SwarmDeployment): void {
    this.generation++;
    this.byDeployment.set(d.deploymentId, d);
  }

  /**
   * The driver is removing a deployment: its tasks are nobody's instances from now on, also for
   * a pass that lists its Swarm service before the removal lands (a route must not come back).
   */
  drop(deploymentId: string): void {
    this.generation++;
    this.byDeployment.delete(deploymentId);
    this.removing.add(deploymentId);
  }

  /** Every task of the owner in the last pass (history included). */
  allTasks(): readonly SwarmTask[] {
    return this.tasks;
  }

  instances(): WatchedInstance[] {
    const bySwarmId = new Map(this.deployments().map((d) => [d.swarmId, d]));
    const out: WatchedInstance[] = [];
    for (const i of this.running) {
      const deployment = bySwarmId.get(i.swarmId);
      if (!deployment) continue;
      const verdict = this.probes.get(i.taskId)?.checker.verdict;
      out.push({ ...i, deployment, healthy: verdict === "healthy", adopted: this.adopted.has(i.taskId) && verdict !== "unhealthy" });
    }
    return out;
  }

  /** The last health probe's detail of a task, for a failure message. */
  probeDetail(taskId: string): string | undefined {
    return this.probes.get(taskId)?.checker.lastProbeDetail;
  }

  private async pass(): Promise<void> {
    const generation = this.generation;
    const owner = { label: [`${LABELS.owner}=${this.opts.owner}`] };
    const [services, tasks, nodes] = await Promise.all([
      this.opts.api.call<SwarmService[]>({ path: "/services", query: { filters: filters(owner) } }),
      this.opts.api.call<SwarmTask[]>({ path: "/tasks", query: { filters: filters(owner) } }),
      this.opts.api.call<SwarmNode[]>({ path: "/nodes" }),
    ]);
    const listed = services.map((s) => deploymentOf(s, this.opts.owner)).filter((d): d is SwarmDeployment => d !== undefined);
    if (generation === this.generation) {
      this.byDeployment.clear();
      for (const d of listed) if (!this.removing.has(d.deploymentId)) this.byDeployment.set(d.deploymentId, d);
      const stillListed = new Set(listed.map((d) => d.deploymentId));
      for (const id of this.removing) if (!stillListed.has(id)) this.removing.delete(id);
    }
    this.tasks = tasks;
    this.nodes = new Map(nodes.map((n) => [n.ID, n]));
    const bySwarmId = new Map(this.deployments().map((d) => [d.swarmId, d]));
    this.running = runningInstances(tasks, this.nodes, (swarmId) => bySwarmId.get(swarmId)?.settings.port);
    if (this.passes++ === 0) for (const i of this.running) this.adopted.add(i.taskId);
    this.tellEnded(bySwarmId);
    this.syncProbesAndLogs(bySwarmId);
    await this.afterPass();
  }

  /**
   * One events line per task that exited or could not start (not those that ended before this
   * control plane started), and per task stranded on a node that went down.
   */
  private tellEnded(bySwarmId: ReadonlyMap<string, SwarmDeployment>): void {
    const first = this.passes === 1;
    for (const t of this.tasks) {
      if (!endedOnItsOwn(t) || this.told.has(t.ID)) continue;
      this.told.add(t.ID);
      const d = bySwarmId.get(t.ServiceID);
      if (first || !d) continue;
      this.opts.serviceEvent(identity(d), `${endedMessage(t)} Swarm starts a replacement.`);
      // Its checker is stopped later in this pass: the verdict says whether it ever served.
      this.hooks.ended?.(d, t, this.probes.get(t.ID)?.checker.verdict);
    }
    for (const t of strandedTasks(this.tasks, this.nodes)) {
      if (this.told.has(t.ID)) continue;
      this.told.add(t.ID);
      const d = bySwarmId.get(t.ServiceID);
      const node = this.nodes.get(t.NodeID ?? "");
      if (d) this.opts.serviceEvent(identity(d), `Instance ${t.ID} is unreachable: its node ${node?.Description?.Hostname ?? t.NodeID ?? ""} is ${node?.Status.State ?? "gone"}. It takes no requests; Swarm starts a replacement on another node.`);
    }
    const listed = new Set(this.tasks.map((t) => t.ID));
    for (const id of this.told) if (!listed.has(id)) this.told.delete(id);
  }

  private syncProbesAndLogs(bySwarmId: ReadonlyMap<string, SwarmDeployment>): void {
    const live = new Set<string>();
    for (const i of this.running) {
      const d = bySwarmId.get(i.swarmId);
      if (!d) continue;
      live.add(i.taskId);
      // A task that moved (another node or port after a node came back) is checked afresh.
      const key = `${i.address}:${i.port}`;
      const probe = this.probes.get(i.taskId);
      if (!probe || probe.key !== key) {
        probe?.checker.stop();
        const checker = new HealthChecker({
          target: () => ({ host: i.address, port: i.port }),
          config: d.settings.healthCheck,
          clock: this.opts.clock,
          onVerdict: (verdict, detail) => {
            if (verdict === "unhealthy" && d.role === "serving") this.opts.serviceEvent(identity(d), `Instance ${i.taskId} on ${i.node} failed its health checks (${detail}); it takes no requests until it passes again.`);
            this.soon();
          },
        });
        checker.start();
        this.probes.set(i.taskId, { checker, key });
      }
      let follower = this.followers.get(i.taskId);
      if (!follower) {
        follower = new TaskLogFollower({
          api: this.opts.api,
          taskId: i.taskId,
          sink: this.opts.logs,
          group: applicationLogGroup(d.serviceName, d.serviceId),
          stream: instanceStream(i.taskId),
          clock: this.opts.clock,
          logger: this.opts.logger,
        });
        this.followers.set(i.taskId, follower);
      }
      follower.ensure();
    }
    for (const [id, p] of this.probes) {
      if (live.has(id)) continue;
      p.checker.stop();
      this.probes.delete(id);
      this.adopted.delete(id);
    }
    for (const [id, f] of this.followers) {
      if (live.has(id)) continue;
      f.finish(LAST_LINES_MS);
      this.followers.delete(id);
    }
  }
}
