import { join } from "node:path";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { ImageStore } from "../../images/types.js";
import type { LogSink } from "../../telemetry/log-sink.js";
import type { ServiceIdentity } from "../../telemetry/service-events.js";
import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";
import type { DeploymentRef, DeploymentSpec, DeployResult, DriverContext, RuntimeDriver } from "../driver.js";
import type { VersionMeasurement } from "../../router/types.js";
import type { ScalableService } from "../../autoscaler/autoscaler.js";
import { scalingView } from "../scaling-view.js";
import { cleanupLeftovers } from "../../executor/container.js";
import { ensureFirewall, removeFirewall, type GatewayService } from "../../executor/firewall.js";
import { deploymentRecordOf } from "./deployment-record.js";
import type { InstanceDeps, WakeAhead } from "./instance-lifecycle.js";
import { InstancePool } from "./instance-pool.js";
import { KeyedLock } from "../keyed-lock.js";
import type { InstanceView, LiveInstance } from "./live-instance.js";
import { lastLines } from "./output-tail.js";
import { RuntimeRecords, type DeploymentRecord, type RecordSealer } from "./records.js";
import { Supervisor } from "./supervisor.js";
import type { HostLayout } from "../../executor/types.js";
import { NO_ROUTER, type ServiceRoute, type TrafficRouter } from "../../router/types.js";
import { ownedRoute, repairRoute, routeOf } from "./routing.js";
import { instanceViewsOf, sampledInstancesOf } from "./instance-views.js";
import { splitRouteOf } from "./traffic-split.js";
import { measureThrough, TrafficSplits } from "../traffic-splits.js";
import type { SampledInstance } from "./usage-sampler.js";

export interface LocalDriverOptions {
  /** `<data-dir>/runtime`: deployment records; instances live in layout.instancesDir. */
  runtimeDir: string;
  layout: HostLayout;
  images: ImageStore;
  clock: Clock;
  random: Random;
  /** Application log lines (instance/<id> streams). */
  logs: LogSink;
  /** A line in the service's `events` stream: exits, OOM kills, replacements. */
  serviceEvent: (service: ServiceIdentity, message: string) => void;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** How long a new instance has to pass its health check: App Runner's 5 minutes. */
  startupBudgetMs?: number;
  /** SIGTERM, then this long, then SIGKILL. */
  stopGraceMs?: number;
  /** How far a service at zero makes its next instance ahead (InstanceDeps.wakeAhead). */
  wakeAhead?: WakeAhead;
  /** How often exits are looked for and missing instances replaced. */
  superviseMs?: number;
  /** The data plane; without one, instances are reached at their own addresses only. */
  router?: TrafficRouter;
  /** Routes the data plane kept from before this start (routes.json), checked against what still exists. */
  persistedRoutes?: () => ServiceRoute[];
  /** Whether a service is in the store and not deleted (a start drops the routes of those that are not). */
  serviceExists?: (serviceId: string) => boolean;
  /**
   * Digests (index or manifest) a prune keeps besides the deployments' own: images deployments
   * resolved and have not handed this driver yet (open operations name them).
   */
  pendingImages?: () => Iterable<string>;
  /**
   * The host service instances reach at their gateway (the control plane's endpoint), known once
   * it listens; read at start(). Absent: the host stays closed to instances.
   */
  gateway?: () => GatewayService | undefined;
  /** The environment that takes an instance with an instance role to its credentials (InstanceDeps.instanceRoleEnv). */
  instanceRoleEnv?: (instanceId: string, gateway: string) => Record<string, string>;
  /** Seals each deployment's environment (variables and secrets' values) in its record: the data directory's key. */
  sealer: RecordSealer;
}

/**
 * Runs instances as runc containers on this machine. Durable facts (which deployments exist,
 * which instances they have) are JSON records under the runtime directory; everything else is
 * derived again at start(), so a restart adopts running instances instead of restarting them.
 */
export class LocalRuntimeDriver implements RuntimeDriver {
  readonly name = "local";
  /** scale(id, 0) keeps the route, so the data plane holds requests and they wake the service (issue 20). */
  readonly scalesToZero = true;
  private readonly records: RuntimeRecords;
  private readonly pool: InstancePool;
  private readonly supervisor: Supervisor;
  /** Health waits of starting instances, rejected by the supervisor when the instance exits. */
  private readonly failures = new Map<string, (reason: string) => void>();
  private readonly lock = new KeyedLock();
  /**
   * Held for every change of a service's route, inside `lock` when both are held (never the
   * other way round). Pause and delete take a service's serving role away and change its route
   * under it, so a publication (an instance turning healthy) that comes later finds nothing to
   * publish instead of bringing the route back.
   */
  private readonly routeLock = new KeyedLock();
  private readonly router: TrafficRouter;
  /** Gradual rollouts under way: the new version's share of each service's clients. */
  private readonly splits = new TrafficSplits();

  constructor(private readonly opts: LocalDriverOptions) {
    this.router = opts.router ?? NO_ROUTER;
    this.records = new RuntimeRecords(opts.runtimeDir, opts.layout.instancesDir, opts.sealer);
    const deps: InstanceDeps = {
      layout: opts.layout,
      records: this.records,
      clock: opts.clock,
      logs: opts.logs,
      logger: opts.logger,
      stopGraceMs: opts.stopGraceMs ?? 5_000,
      ...(opts.wakeAhead ? { wakeAhead: opts.wakeAhead } : {}),
      ...(opts.instanceRoleEnv ? { instanceRoleEnv: opts.instanceRoleEnv } : {}),
      onVerdict: (inst, verdict, detail) => this.supervisor.onVerdict(inst, verdict, detail),
    };
    this.pool = new InstancePool(deps, opts.random);
    this.supervisor = new Supervisor({
      pool: this.pool,
      records: this.records,
      lock: this.lock,
      clock: opts.clock,
      ensureInstances: (d) => this.ensureInstances(d),
      publish: (serviceId) => this.publish(serviceId),
      failed: (l) => this.router.failed(l.record.serviceId, [l.record.instanceId]),
      startFailed: async (serviceId, forMs) => this.router.startFailed?.(serviceId, forMs),
      startupFailure: (instanceId) => this.failures.get(instanceId),
      serviceEvent: opts.serviceEvent,
      logger: opts.logger,
    });
  }

  /** Sets up the firewall, adopts instances that survived a restart, removes half-made ones. */
  async start(): Promise<void> {
    await ensureFirewall(this.opts.layout, undefined, this.opts.gateway?.());
    this.records.sealClearRecords();
    const deployments = new Map(this.records.deployments().map((d) => [d.deploymentId, d]));
    await this.pool.adopt(deployments, this.records.instances());
    await cleanupLeftovers(this.opts.layout, new Set(this.pool.all().map((l) => l.record.containerId)));
    // Before the supervisor starts instances: a freed address could go to another service's new instance.
    await this.repairRoutes();
    this.supervisor.start(this.opts.superviseMs ?? 1000);
  }

  /** Drops persisted routes of services that are gone, and instances a route names that its service no longer owns. */
  private async repairRoutes(): Promise<void> {
    for (const persisted of this.opts.persistedRoutes?.() ?? []) {
      const { serviceId } = persisted;
      const d = this.servingOf(serviceId);
      const repair = repairRoute(persisted, {
        exists: this.opts.serviceExists?.(serviceId) ?? true,
        owned: d ? ownedRoute(d, this.pool.of(d.deploymentId)) : undefined,
      });
      if (repair.action === "keep") continue;
      this.opts.logger("repairing a route kept from before the start", { serviceId, why: repair.why });
      await this.routeLock.run(serviceId, () => (repair.action === "remove" ? this.router.remove(serviceId) : this.router.apply(repair.route)));
    }
  }

  /**
   * Stops every instance and removes everything it made on the host; the records stay, so the
   * next start() brings the serving deployments back.
   */
  async stop(): Promise<void> {
    this.supervisor.stop();
    await Promise.all(this.pool.all().map((l) => this.pool.end(l)));
    await this.pool.releaseAllWarm();
    await cleanupLeftovers(this.opts.layout, new Set());
    await removeFirewall(this.opts.layout);
  }

  sampledInstances(): SampledInstance[] {
    return sampledInstancesOf(this.pool, this.records);
  }

  /** The instance role of a running instance (for its credentials); undefined when it is gone or has none. */
  instanceRoleOf(instanceId: string): string | undefined {
    const l = this.pool.all().find((i) => i.record.instanceId === instanceId);
    if (!l || l.ending) return undefined;
    return this.records.deployment(l.record.deploymentId)?.instanceRoleArn;
  }

  /** Running instances, for tests, the router and `openrunner` tools. */
  instances(serviceId?: string): InstanceView[] {
    return instanceViewsOf(this.pool, this.records, serviceId);
  }

  async deploy(spec: DeploymentSpec, ctx: DriverContext): Promise<DeployResult> {
    const existing = this.records.deployment(spec.deploymentId);
    // The image is held against a prune (another service's delete) until the deployment records it.
    const d = existing ?? (await this.opts.images.using(() => this.prepare(spec)));
    ctx.step?.("start");
    await this.lock.run(d.serviceId, () => this.ensureInstances(d, ctx));
    return { imageDigest: d.resolvedDigest };
  }

  async waitHealthy(ref: DeploymentRef, ctx: DriverContext): Promise<void> {
    const d = this.requireDeployment(ref);
    // After a restart in this phase, half-created instances were removed: make them again.
    await this.lock.run(d.serviceId, () => this.ensureInstances(d, ctx));
    const mine = this.pool.of(d.deploymentId);
    await Promise.all(mine.map((l) => this.waitInstance(d, l, ctx)));
  }

  async shiftTraffic(ref: DeploymentRef, ctx: DriverContext): Promise<void> {
    const d = this.requireDeployment(ref);
    await this.lock.run(d.serviceId, async () => {
      for (const other of this.records.deployments()) {
        if (other.serviceId === d.serviceId && other.deploymentId !== d.deploymentId && other.role === "serving") {
          this.records.saveDeployment({ ...other, role: "standby" });
        }
      }
      this.records.saveDeployment({ ...d, role: "serving" });
      this.splits.clear(d.serviceId);
      await this.publish(d.serviceId);
    });
    const n = this.pool.of(d.deploymentId).length;
    ctx.log(`Traffic now goes to deployment ${d.deploymentId} (${n} instance${n === 1 ? "" : "s"}).`);
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
      await this.retireLocked(ref.deploymentId, ctx);
    });
  }

  async pause(serviceId: string, ctx: DriverContext): Promise<void> {
    await this.lock.run(serviceId, async () => {
      const mine = this.records.deployments().filter((d) => d.serviceId === serviceId);
      const shown = mine.find((d) => d.role === "serving") ?? mine[0];
      await this.routeLock.run(serviceId, async () => {
        // Nothing serves from here on, so an instance turning healthy meanwhile publishes nothing.
        for (const d of mine) if (d.role === "serving") this.records.saveDeployment({ ...d, role: "standby" });
        this.splits.clear(serviceId);
        if (shown) await this.router.apply(routeOf(shown, [], "paused"));
      });
      for (const d of mine) await this.retireLocked(d.deploymentId, ctx);
      await this.pool.releaseWarm(serviceId);
    });
  }

  async delete(serviceId: string, ctx: DriverContext): Promise<void> {
    // Its hosts answer 404 from here on, for good: the deployment records go first (nothing
    // serves, so nothing publishes or gets replaced), then the route, under the route lock. A
    // crash in between leaves instances without records (removed at start) and a route of a
    // deleted service (dropped at start).
    const gone = await this.routeLock.run(serviceId, async () => {
      const mine = this.records.deployments().filter((d) => d.serviceId === serviceId);
      for (const d of mine) this.records.removeDeployment(d.deploymentId);
      this.splits.clear(serviceId);
      await this.router.remove(serviceId);
      return mine.map((d) => d.deploymentId);
    });
    await this.lock.run(serviceId, async () => {
      const ids = new Set([...gone, ...this.pool.all().filter((l) => l.record.serviceId === serviceId).map((l) => l.record.deploymentId)]);
      for (const id of ids) await this.retireLocked(id, ctx, false);
      await this.pool.releaseWarm(serviceId);
    });
    // Not awaited: the prune waits until no deployment is between pulling and recording its
    // image (a build can take minutes), and the delete need not wait for that.
    this.opts.images
      .prune(() => new Set([...this.records.deployments().map((d) => d.manifestDigest), ...(this.opts.pendingImages?.() ?? [])]))
      .catch((err: unknown) => this.opts.logger("pruning images after a delete failed", { serviceId, error: String(err) }));
  }

  /** Finds the image the engine resolved and records the deployment (inside the image store's hold). */
  private async prepare(spec: DeploymentSpec): Promise<DeploymentRecord> {
    const d = await deploymentRecordOf(spec, this.opts.images, this.opts.clock.now(), this.servingOf(spec.serviceId)?.desired ?? 0);
    this.records.saveDeployment(d);
    return d;
  }

  /** Creates instances until the deployment has `desired` of them (idempotent). Caller holds the lock. */
  private async ensureInstances(d: DeploymentRecord, ctx?: DriverContext): Promise<void> {
    const missing = d.desired - this.pool.of(d.deploymentId).length;
    if (missing <= 0) return;
    if (ctx) ctx.log(`Starting ${missing} instance${missing === 1 ? "" : "s"} of image ${d.imageIdentifier} (${d.resolvedDigest}).`);
    const started = await Promise.all(Array.from({ length: missing }, () => this.pool.start(d)));
    for (const l of started) {
      ctx?.log(`Instance ${l.record.instanceId} started at ${l.container.network.instanceAddress}:${d.plan.port}.`);
      // With the supervisor's "instance healthy", where a cold start's time goes (bench/cold-start.ts).
      this.opts.logger("instance started", { serviceId: d.serviceId, instanceId: l.record.instanceId });
    }
  }

  /** Resolves when the instance is healthy; rejects when it exits or its start-up budget runs out. */
  private async waitInstance(d: DeploymentRecord, l: LiveInstance, ctx: DriverContext): Promise<void> {
    const exited = new Promise<never>((_, reject) => {
      this.failures.set(l.record.instanceId, (reason) => reject(new AppRunnerError("InstanceFailed", reason)));
    });
    try {
      await Promise.race([l.checker.waitHealthy({ budgetMs: this.opts.startupBudgetMs, signal: ctx.signal }), exited]);
      ctx.log(
        `Instance ${l.record.instanceId} passed its ${d.healthCheck.Protocol ?? "TCP"} health check after ${l.checker.attempts} attempt${l.checker.attempts === 1 ? "" : "s"}.`,
      );
    } catch (err) {
      const lines = await lastLines(join(l.container.dir, "output.log"), 10);
      if (lines.length > 0) ctx.log(`Last output of instance ${l.record.instanceId}:\n${lines.join("\n")}`);
      throw err;
    } finally {
      this.failures.delete(l.record.instanceId);
      exited.catch(() => undefined);
    }
  }

  private async retireLocked(deploymentId: string, ctx: DriverContext, drain = true): Promise<void> {
    const mine = this.pool.of(deploymentId);
    const serviceId = mine[0]?.record.serviceId;
    // In-flight requests finish before their instance stops: no request fails on a deployment.
    if (serviceId && drain) await this.router.drain(serviceId, mine.map((l) => l.record.instanceId));
    await Promise.all(mine.map((l) => this.pool.end(l)));
    for (const r of this.records.instances()) if (r.deploymentId === deploymentId) await this.pool.removeRecorded(r);
    this.records.removeDeployment(deploymentId);
    if (mine.length > 0) ctx.log(`Stopped ${mine.length} instance${mine.length === 1 ? "" : "s"} of deployment ${deploymentId}.`);
    this.supervisor.forget(deploymentId);
  }

  /**
   * Autoscaling: the serving deployment keeps `desired` instances. Scaling in takes the
   * newest instances out of the router, lets their requests finish, then stops them. 0 (scale to
   * zero, asked only for services that opted in) stops them all and keeps the route with no
   * instance: the data plane holds the next requests, and they wake the service.
   */
  async scale(serviceId: string, desired: number, reason: string): Promise<void> {
    await this.lock.run(serviceId, async () => {
      const d = this.servingOf(serviceId);
      if (!d) return;
      const target = desired === 0 ? 0 : Math.min(d.maxSize, Math.max(d.minSize, 1, desired));
      if (target === d.desired) return;
      this.records.saveDeployment({ ...d, desired: target });
      this.opts.logger("scaling", { serviceId, from: d.desired, to: target, reason });
      // Scale to zero is the owner's opt-in, and its edges are worth a line in the events log.
      if (target === 0 || d.desired === 0) {
        this.opts.serviceEvent({ name: d.serviceName, id: d.serviceId, arn: d.serviceArn }, target === 0 ? `Scaled to zero instances: ${reason}.` : `Starting ${target} instance${target === 1 ? "" : "s"}: ${reason}.`);
      }
      const mine = this.pool.of(d.deploymentId);
      if (target > mine.length) {
        await this.ensureInstances({ ...d, desired: target });
        return;
      }
      const leaving = mine.sort((a, b) => b.record.createdAt - a.record.createdAt).slice(0, mine.length - target);
      for (const l of leaving) l.leaving = true;
      await this.publish(serviceId);
      await this.router.drain(serviceId, leaving.map((l) => l.record.instanceId));
      // Going to zero: one instance's network stays ready for the wake (issue 20's cold start).
      await Promise.all(leaving.map((l, i) => this.pool.end(l, { keepNetwork: target === 0 && i === 0 })));
    });
  }

  /** What the autoscaler needs of every serving service. */
  scalingView(): ScalableService[] {
    return scalingView(this.records.deployments());
  }

  private servingOf(serviceId: string): DeploymentRecord | undefined {
    return this.records.deployments().find((d) => d.serviceId === serviceId && d.role === "serving");
  }

  /**
   * Tells the router which instances of the service take requests now, read under the route
   * lock when it runs: after pause or delete nothing serves, and nothing is published.
   */
  private publish(serviceId: string): Promise<void> {
    return this.routeLock.run(serviceId, async () => {
      const d = this.servingOf(serviceId);
      if (d) await this.router.apply(splitRouteOf(routeOf(d, this.pool.of(d.deploymentId)), d, this.splits, this.records, this.pool));
    });
  }

  private requireDeployment(ref: DeploymentRef): DeploymentRecord {
    const d = this.records.deployment(ref.deploymentId);
    if (!d) throw new AppRunnerError("InstanceFailed", `Deployment ${ref.deploymentId} has no instances on this host.`);
    return d;
  }
}
