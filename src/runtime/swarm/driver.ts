/**
 * Runs each App Runner deployment as one Docker Swarm service (service-spec.ts) on the swarm
 * whose manager `opts.api` reaches. The swarm is the record: deployments, roles and settings
 * are the services' labels, so a restarted control plane adopts what runs, and a control plane
 * that stops leaves every service serving. Routes follow the task list (watcher.ts): each
 * task is reached at its node's address and the port Docker published for it.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ScalableService } from "../../autoscaler/autoscaler.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { NO_ROUTER, type TrafficRouter, type VersionMeasurement } from "../../router/types.js";
import { measureThrough, TrafficSplits } from "../traffic-splits.js";
import { splitRouteOf } from "./traffic-split.js";
import type { DeploymentRef, DeploymentSpec, DeployResult, DriverContext, RuntimeDriver } from "../driver.js";
import { STARTUP_BUDGET_MS } from "../health/health-state.js";
import { KeyedLock } from "../keyed-lock.js";
import type { SampledInstance } from "../local/usage-sampler.js";
import { scalingView } from "../scaling-view.js";
import { lostTasks, routable, routeKey, routeOf } from "./routing.js";
import { buildServiceSpec, initialReplicas, registryAuthHeaders, withReplicas, withRole, type DeploymentRole, type SwarmDeployment } from "./service-spec.js";
import { SwarmServices } from "./swarm-services.js";
import { endedMessage, firstEnded, pendingReason } from "./task-view.js";
import { LABELS, type SwarmDriverOptions, type SwarmInstanceView } from "./types.js";
import { identity, SwarmWatcher, type WatchedInstance } from "./watcher.js";
import { failedStart, replicasFor, StartFailures, WAKE_WATCH_MS, waking, watchFast } from "./zero.js";

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

export class SwarmRuntimeDriver implements RuntimeDriver {
  readonly name = "swarm";
  private readonly watcher: SwarmWatcher;
  private readonly services: SwarmServices;
  private readonly router: TrafficRouter;
  private readonly lock = new KeyedLock();
  /** Held for every change of a service's route, inside `lock` when both are held (as the local driver). */
  private readonly routeLock = new KeyedLock();
  /** The instances each service's route was last given (`id@address:port`, sorted). */
  private readonly published = new Map<string, string[]>();
  /** Gradual rollouts under way: the new version's share of each service's clients. */
  private readonly splits = new TrafficSplits();
  /** The node whose Engine API `opts.api` is: its tasks' containers can be read from here. */
  private localNode = "";
  /** Deployments going to zero: their tasks take no new request while they drain (scale to zero). */
  private readonly zeroing = new Set<string>();
  private readonly startFailures = new StartFailures();
  /** Deployments woken from zero (deploymentId -> when), watched fast until a task takes requests. */
  private readonly wakes = new Map<string, number>();

  constructor(private readonly opts: SwarmDriverOptions) {
    this.router = opts.router ?? NO_ROUTER;
    this.services = new SwarmServices(opts.api, opts.owner, opts.clock, opts.logger);
    this.watcher = new SwarmWatcher(opts, () => this.followTasks(), {
      nextPassInMs: () => (watchFast(this.wakes, opts.clock.now(), (id) => this.stillWaking(id)) ? WAKE_WATCH_MS : undefined),
      ended: (d, _task, verdict) => this.taskEnded(d, verdict),
    });
  }

  /** The overlay network, then the first pass over what runs (adopted, routes published). */
  async start(): Promise<void> {
    this.localNode = await this.services.localNode();
    await this.services.ensureNetwork();
    await this.watcher.start();
  }

  /** Stops watching; every Swarm service keeps running and serving. */
  async stop(): Promise<void> {
    await this.watcher.stop();
  }

  /** Running tasks, for tests, the console and the router. */
  instances(serviceId?: string): SwarmInstanceView[] {
    return this.watcher
      .instances()
      .filter((i) => !serviceId || i.deployment.serviceId === serviceId)
      .map((i) => ({
        instanceId: i.taskId,
        deploymentId: i.deployment.deploymentId,
        serviceId: i.deployment.serviceId,
        node: i.node,
        address: i.address,
        port: i.port,
        healthy: i.healthy,
        // Serving once the data plane has it: between the role change and the router's answer it does not yet.
        serving: i.deployment.role === "serving" && routable(i) && (this.published.get(i.deployment.serviceId)?.includes(routeKey(i)) ?? false),
      }));
  }

  /**
   * Tasks serving traffic, with what CPUUtilization and MemoryUtilization are relative to; those
   * on other nodes come without a container to read (they count as active instances).
   */
  sampledInstances(): SampledInstance[] {
    return this.watcher
      .instances()
      .filter((i) => i.deployment.role === "serving" && routable(i))
      .map((i) => {
        const limits = i.deployment.spec.TaskTemplate.Resources.Limits;
        return {
          instanceId: i.taskId,
          serviceId: i.deployment.serviceId,
          cpuMillicores: Math.round(limits.NanoCPUs / 1_000_000),
          memoryBytes: limits.MemoryBytes,
          // The usage reader (task-usage.ts) needs only the container id.
          ...(i.nodeId === this.localNode && i.containerId ? { containerRef: { containerId: i.containerId, dir: "", cgroupsPath: "" } } : {}),
        };
      });
  }

  async deploy(spec: DeploymentSpec, ctx: DriverContext): Promise<DeployResult> {
    return this.lock.run(spec.serviceId, async () => {
      const existing = (await this.services.list({ [LABELS.deploymentId]: spec.deploymentId }))[0];
      if (existing) {
        this.watcher.put(existing);
        return { imageDigest: existing.settings.image.digest };
      }
      ctx.step?.("pull");
      const pull = await this.opts.pullOf(spec.image);
      ctx.step?.("start");
      const replicas = initialReplicas(spec.autoScaling, this.servingOf(spec.serviceId)?.desired);
      const body = buildServiceSpec({ spec, pull, owner: this.opts.owner, network: this.opts.owner, replicas, role: "starting", stopGraceMs: this.opts.stopGraceMs });
      ctx.log(`Starting ${plural(replicas, "instance")} of image ${spec.image.identifier} (${spec.image.digest}) as Swarm service ${body.Name}.`);
      this.watcher.put(await this.services.create(body, registryAuthHeaders(pull)));
      return { imageDigest: spec.image.digest };
    });
  }

  async waitHealthy(ref: DeploymentRef, ctx: DriverContext): Promise<void> {
    await this.watcher.refresh();
    const d = this.requireDeployment(ref);
    const budgetMs = this.opts.startupBudgetMs ?? STARTUP_BUDGET_MS;
    const startedAt = this.opts.clock.now();
    for (;;) {
      if (ctx.signal.aborted) throw new AppRunnerError("InstanceFailed", `Stopped waiting for deployment ${d.deploymentId} to pass its health checks: the deployment was cancelled.`);
      const ended = firstEnded(this.watcher.allTasks(), d.swarmId);
      if (ended) {
        await this.logLastOutput(ended.ID, ctx);
        throw new AppRunnerError("InstanceFailed", endedMessage(ended));
      }
      const mine = this.instancesOf(d);
      const healthy = mine.filter((i) => i.healthy);
      if (healthy.length >= d.desired) {
        for (const i of healthy) ctx.log(`Instance ${i.taskId} on ${i.node} (${i.address}:${i.port}) passed its ${d.settings.healthCheck.Protocol ?? "TCP"} health check.`);
        return;
      }
      if (this.opts.clock.now() - startedAt > budgetMs) {
        const why = mine.map((i) => this.watcher.probeDetail(i.taskId)).find((x) => x) ?? pendingReason(this.watcher.allTasks(), d.swarmId) ?? "no task is running";
        throw new AppRunnerError("InstanceFailed", `${healthy.length} of ${plural(d.desired, "instance")} of deployment ${d.deploymentId} passed their health checks within ${Math.round(budgetMs / 1000)} s (${why}).`);
      }
      await sleep(Math.min(250, this.opts.watchMs ?? 1000), undefined, { signal: ctx.signal }).catch(() => undefined);
      if (!ctx.signal.aborted) await this.watcher.refresh();
    }
  }

  async shiftTraffic(ref: DeploymentRef, ctx: DriverContext): Promise<void> {
    await this.lock.run(ref.serviceId, async () => {
      const d = this.requireDeployment(ref);
      for (const other of this.watcher.deployments()) {
        if (other.serviceId === d.serviceId && other.deploymentId !== d.deploymentId && other.role === "serving") await this.setRole(other, "standby");
      }
      await this.setRole(d, "serving");
      this.splits.clear(d.serviceId);
      await this.publish(d.serviceId);
    });
    const n = this.published.get(ref.serviceId)?.length ?? 0;
    ctx.log(`Traffic now goes to deployment ${ref.deploymentId} (${plural(n, "instance")}).`);
  }

  splitTraffic(ref: DeploymentRef, percent: number, ctx: DriverContext): Promise<void> {
    return this.splits.change(ref, percent, ctx, { lock: this.lock, require: (r) => this.requireDeployment(r), publish: (id) => this.publish(id), settle: () => this.router.settle?.() ?? Promise.resolve() });
  }

  measureSplit(ref: DeploymentRef, windowMs: number): Promise<VersionMeasurement> {
    return measureThrough(this.router, ref, windowMs);
  }

  async retire(ref: DeploymentRef, ctx: DriverContext): Promise<void> {
    await this.lock.run(ref.serviceId, async () => {
      if (this.splits.get(ref.serviceId)?.deploymentId === ref.deploymentId) {
        this.splits.clear(ref.serviceId, ref.deploymentId);
        await this.publish(ref.serviceId); // its clients back to the serving version before it stops
      }
      const d = this.watcher.deployment(ref.deploymentId) ?? (await this.services.list({ [LABELS.deploymentId]: ref.deploymentId }))[0];
      if (d) await this.retireLocked(d, ctx, true);
    });
  }

  async pause(serviceId: string, ctx: DriverContext): Promise<void> {
    await this.lock.run(serviceId, async () => {
      const mine = await this.services.list({ [LABELS.serviceId]: serviceId });
      const shown = mine.find((d) => d.role === "serving") ?? mine[0];
      const tasks = new Map(mine.map((d) => [d.deploymentId, this.instancesOf(d)]));
      await this.routeLock.run(serviceId, async () => {
        // Nothing serves from here on, so a task turning healthy meanwhile publishes nothing.
        for (const d of mine) this.watcher.drop(d.deploymentId);
        this.published.delete(serviceId);
        this.splits.clear(serviceId);
        if (shown) await this.router.apply(routeOf(shown, [], "paused"));
      });
      for (const d of mine) await this.retireLocked(d, ctx, true, tasks.get(d.deploymentId));
    });
  }

  async delete(serviceId: string, ctx: DriverContext): Promise<void> {
    // Its hosts answer 404 from here on: the route goes first, then the Swarm services.
    await this.routeLock.run(serviceId, async () => {
      for (const d of this.watcher.deployments()) if (d.serviceId === serviceId) this.watcher.drop(d.deploymentId);
      this.published.delete(serviceId);
      this.splits.clear(serviceId);
      await this.router.remove(serviceId);
    });
    await this.lock.run(serviceId, async () => {
      for (const d of await this.services.list({ [LABELS.serviceId]: serviceId })) await this.retireLocked(d, ctx, false);
    });
  }

  /**
   * scale(id, 0) sets 0 replicas and keeps the route with no task: every router holds the
   * service's requests and they wake it (scale to zero, issue 20; zero.ts).
   */
  readonly scalesToZero = true;

  /** Autoscaling: the serving deployment's replicas. Swarm picks which tasks stop on a scale-in; routes follow the task list. */
  async scale(serviceId: string, desired: number, reason: string): Promise<void> {
    await this.lock.run(serviceId, async () => {
      const d = this.servingOf(serviceId);
      if (!d) return;
      const target = replicasFor(d.settings, desired);
      if (target === d.desired) return;
      this.opts.logger("scaling", { serviceId, from: d.desired, to: target, reason });
      // Scale to zero is the owner's opt-in, and its edges are worth a line in the events log.
      if (target === 0 || d.desired === 0) this.opts.serviceEvent(identity(d), target === 0 ? `Scaled to zero instances: ${reason}.` : `Starting ${plural(target, "instance")}: ${reason}.`);
      // Until the update lands (and the deployment reads 0 replicas), no pass routes its tasks again.
      if (target === 0) this.zeroing.add(d.deploymentId);
      if (d.desired === 0) this.wakes.set(d.deploymentId, this.opts.clock.now());
      try {
        if (target === 0) await this.drainAll(d);
        this.watcher.put(await this.services.update(this.servingOf(serviceId) ?? d, (spec) => withReplicas(spec, target)));
      } finally {
        this.zeroing.delete(d.deploymentId);
      }
    });
    await this.watcher.refresh();
  }

  /** Going to zero: the route loses every task (it stays, holding requests), and their requests finish before Swarm stops them. */
  private async drainAll(d: SwarmDeployment): Promise<void> {
    const leaving = this.instancesOf(d).map((i) => i.taskId);
    await this.publish(d.serviceId);
    if (leaving.length > 0) await this.router.drain(d.serviceId, leaving);
  }

  /**
   * The task a woken service waited for ended before it passed its health check: held requests
   * get 503 now (and new ones for a while) instead of waiting out the queue timeout for Swarm's
   * next try, and the events log says why.
   */
  private taskEnded(d: SwarmDeployment, verdict: Parameters<typeof failedStart>[2]): void {
    if (!failedStart(d, this.routableOf(d).length, verdict)) return;
    const forMs = this.startFailures.failed(d.deploymentId);
    this.opts.serviceEvent(identity(d), `No instance of the service is up: requests waiting for one are answered 503 for ${Math.round(forMs / 1000)} s, until Swarm's next start.`);
    this.router.startFailed?.(d.serviceId, forMs).catch((err: unknown) => this.opts.logger("answering held requests 503 failed", { serviceId: d.serviceId, error: err instanceof Error ? err.message : String(err) }));
  }

  /** What the autoscaler needs of every serving service. */
  scalingView(): ScalableService[] {
    return scalingView(this.watcher.deployments().map((d) => ({ ...d.settings, serviceId: d.serviceId, role: d.role, desired: d.desired })));
  }

  /** Drains (unless the route is already gone), removes the Swarm service and waits until its tasks stopped. Caller holds the lock. */
  private async retireLocked(d: SwarmDeployment, ctx: DriverContext, drain: boolean, mine = this.instancesOf(d)): Promise<void> {
    // In-flight requests finish before their task stops: no request fails on a deployment.
    if (drain && mine.length > 0) await this.router.drain(d.serviceId, mine.map((i) => i.taskId));
    this.watcher.drop(d.deploymentId);
    await this.services.remove(d);
    if (mine.length > 0) ctx.log(`Stopped ${plural(mine.length, "instance")} of deployment ${d.deploymentId}.`);
  }

  /** Routes follow the tasks: a serving deployment's routable set changed (a task started, ended, or its node died). */
  private async followTasks(): Promise<void> {
    for (const d of this.watcher.deployments()) {
      if (d.role !== "serving") continue;
      const routable = this.routableOf(d).map(routeKey);
      if (routable.length > 0) this.startFailures.serving(d.deploymentId);
      const now = [...routable, ...splitRouteOf(routeOf(d, []), d, this.splits, this.watcher.instances()).keys];
      const before = this.published.get(d.serviceId);
      if (before && before.join() === now.join()) continue;
      const lost = lostTasks(before ?? [], now).filter((id) => !id.startsWith("split:"));
      try {
        if (lost.length > 0) await this.router.failed(d.serviceId, lost);
        await this.publish(d.serviceId);
      } catch (err) {
        this.opts.logger("updating the router failed", { serviceId: d.serviceId, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  /** Tells the router which tasks take the service's requests now, read under the route lock. */
  private publish(serviceId: string): Promise<void> {
    return this.routeLock.run(serviceId, async () => {
      const d = this.servingOf(serviceId);
      if (!d) return;
      const instances = this.routableOf(d);
      const split = splitRouteOf(routeOf(d, instances), d, this.splits, this.watcher.instances());
      await this.router.apply(split.route);
      this.published.set(serviceId, [...instances.map(routeKey), ...split.keys]);
    });
  }

  private stillWaking(deploymentId: string): boolean {
    const d = this.watcher.deployment(deploymentId);
    return d !== undefined && waking(d, this.routableOf(d).length);
  }

  private routableOf(d: SwarmDeployment): WatchedInstance[] {
    if (d.desired === 0 || this.zeroing.has(d.deploymentId)) return [];
    return this.watcher
      .instances()
      .filter((i) => i.deployment.deploymentId === d.deploymentId && routable(i))
      .sort((a, b) => a.taskId.localeCompare(b.taskId));
  }

  private instancesOf(d: SwarmDeployment): WatchedInstance[] {
    return this.watcher.instances().filter((i) => i.deployment.deploymentId === d.deploymentId);
  }

  private servingOf(serviceId: string): SwarmDeployment | undefined {
    return this.watcher.deployments().find((d) => d.serviceId === serviceId && d.role === "serving");
  }

  private requireDeployment(ref: DeploymentRef): SwarmDeployment {
    const d = this.watcher.deployment(ref.deploymentId);
    if (!d) throw new AppRunnerError("InstanceFailed", `Deployment ${ref.deploymentId} has no Swarm service.`);
    return d;
  }

  private async setRole(d: SwarmDeployment, role: DeploymentRole): Promise<void> {
    if (d.role !== role) this.watcher.put(await this.services.update(d, (spec) => withRole(spec, role)));
  }

  /** The task's last lines in the deployment log, so it says why the task exited. */
  private async logLastOutput(taskId: string, ctx: DriverContext): Promise<void> {
    try {
      const lines = await this.services.lastOutput(taskId);
      if (lines.length > 0) ctx.log(`Last output of instance ${taskId}:\n${lines.join("\n")}`);
    } catch (err) {
      ctx.log(`The output of instance ${taskId} could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
