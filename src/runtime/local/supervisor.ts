import type { ServiceIdentity } from "../../telemetry/service-events.js";
import type { Clock } from "../../util/clock.js";
import { PeriodicTask } from "../../util/periodic-task.js";
import type { HealthVerdict } from "../health/health-state.js";
import { containerState, oomKillCount } from "../../executor/container.js";
import { exitMessage, isAlive } from "./exit-reason.js";
import type { InstancePool } from "./instance-pool.js";
import type { KeyedLock } from "../keyed-lock.js";
import { startBackoffMs } from "../start-backoff.js";
import type { LiveInstance } from "./live-instance.js";
import type { DeploymentRecord, RuntimeRecords } from "./records.js";

/** What the supervisor may do to the driver it watches over. */
export interface SupervisedDriver {
  pool: InstancePool;
  records: RuntimeRecords;
  lock: KeyedLock;
  clock: Clock;
  /** Creates missing instances of a deployment. Caller holds the service's lock. */
  ensureInstances(d: DeploymentRecord): Promise<void>;
  /** Tells the router which instances serve now (under the service's route lock, reading the state then). */
  publish(serviceId: string): Promise<void>;
  /** Takes a dead or unhealthy instance out of the router's rotation at once (never adds a route). */
  failed(l: LiveInstance): Promise<void>;
  /** Held requests of a service with no instance up get 503 for `forMs` (TrafficRouter.startFailed). */
  startFailed(serviceId: string, forMs: number): Promise<void>;
  /** Rejects the health wait of an instance that is starting, if one waits. */
  startupFailure(instanceId: string): ((reason: string) => void) | undefined;
  serviceEvent(service: ServiceIdentity, message: string): void;
  logger(message: string, fields?: Record<string, unknown>): void;
}

const identity = (d: DeploymentRecord): ServiceIdentity => ({ name: d.serviceName, id: d.serviceId, arn: d.serviceArn });

/**
 * Keeps serving deployments at their size: finds instances that exited (a PID check, no
 * process spawned), reports OOM kills, replaces dead and unhealthy instances with a back-off
 * for crash loops, and says why in the service's events log.
 */
export class Supervisor {
  private readonly backoff = new Map<string, { failures: number; notBefore: number }>();
  private task: PeriodicTask | undefined;
  private stopping = false;
  /**
   * Instances and deployments whose supervisor work waits for their service's lock, which a
   * deployment may hold for minutes: a pass queues that work and goes on, so one busy service
   * never holds up noticing what happens to the others (passes never overlap), and the next
   * pass does not queue it twice.
   */
  private readonly queued = new Set<string>();

  constructor(private readonly d: SupervisedDriver) {}

  /** A pass now, then every `everyMs`. */
  start(everyMs: number): void {
    this.stopping = false;
    void this.task?.stop();
    this.task = new PeriodicTask({ name: "instance supervisor", everyMs, firstRunMs: 0, run: () => this.tick(), logger: this.d.logger });
    this.task.start();
  }

  /**
   * No pass after this. Not awaited by the driver: work queued on a service's lock may wait for
   * minutes, and the pass under way stops at its next step.
   */
  stop(): void {
    this.stopping = true;
    // Never rejects (PeriodicTask logs a failed pass).
    void this.task?.stop();
    this.task = undefined;
  }

  /** Runs `work` under the service's lock unless the same work is queued already; never waits for the lock. */
  private underLock(key: string, serviceId: string, work: () => Promise<void>, failed: (err: unknown) => void): void {
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.d.lock
      .run(serviceId, work)
      .catch(failed)
      .finally(() => this.queued.delete(key));
  }

  forget(deploymentId: string): void {
    this.backoff.delete(deploymentId);
  }

  onVerdict(l: LiveInstance, verdict: HealthVerdict, detail: string): void {
    const { records } = this.d;
    // A healthy instance ends a crash loop's back-off, and joins the router if its deployment serves.
    if (verdict === "healthy") {
      this.d.logger("instance healthy", { serviceId: l.record.serviceId, instanceId: l.record.instanceId });
      this.backoff.delete(l.record.deploymentId);
      // Not under the service's lock: each instance joins as soon as it is healthy, not when the
      // last one of a scale-out is. publish() takes the route lock and reads the state then, so
      // after a pause or delete it finds nothing serving and publishes nothing.
      if (records.deployment(l.record.deploymentId)?.role === "serving") {
        this.d.publish(l.record.serviceId).catch((err: unknown) => {
          this.d.logger("updating the router failed", { serviceId: l.record.serviceId, error: String(err) });
        });
      }
    }
    if (verdict !== "unhealthy" || l.ending || this.stopping) return;
    const dep = records.deployment(l.record.deploymentId);
    if (!dep) return;
    const threshold = dep.healthCheck.UnhealthyThreshold ?? 5;
    this.replace(dep, l, `Instance ${l.record.instanceId} failed ${threshold} consecutive health checks (${detail}). Replacing it.`);
  }

  /** An instance that died or turned unhealthy: say why, take it out of the router, tear it down. */
  private replace(dep: DeploymentRecord, l: LiveInstance, message: string): void {
    this.d.serviceEvent(identity(dep), message);
    const b = this.backoff.get(dep.deploymentId) ?? { failures: 0, notBefore: 0 };
    const delay = startBackoffMs(b.failures + 1);
    this.backoff.set(dep.deploymentId, { failures: b.failures + 1, notBefore: this.d.clock.now() + delay - 1000 });
    l.leaving = true;
    // Only a start that failed: an instance that served and died is replaced while requests wait.
    if (dep.role === "serving" && l.checker.verdict !== "healthy" && !this.anyUp(dep)) this.noInstanceUp(dep, delay, message);
    // Not under the service's lock, which a deployment may hold for minutes: until the router
    // knows, requests keep trying the dead instance (leastconn favours it: it holds no request).
    if (dep.role === "serving") {
      this.d.failed(l).catch((err: unknown) => this.d.logger("taking a failed instance out of the router failed", { instanceId: l.record.instanceId, error: String(err) }));
    }
    void this.d.lock
      .run(dep.serviceId, async () => {
        if (dep.role === "serving") await this.d.publish(dep.serviceId);
        await this.d.pool.end(l);
      })
      .catch((err: unknown) => this.d.logger("removing a failed instance failed", { instanceId: l.record.instanceId, error: String(err) }));
  }

  /** Whether another instance of the deployment is healthy and in rotation. */
  private anyUp(dep: DeploymentRecord): boolean {
    return this.d.pool.of(dep.deploymentId).some((o) => !o.leaving && !o.ending && o.checker.verdict === "healthy");
  }

  /**
   * The instance that failed was the service's only hope (a wake from zero, or its last instance
   * died): requests the data plane holds for it would wait out their queue timeout for a
   * replacement that may crash the same way. They get 503 now, and new ones until the
   * replacement is due, and the event log says why.
   */
  private noInstanceUp(dep: DeploymentRecord, untilRetryMs: number, why: string): void {
    this.d.serviceEvent(identity(dep), `No instance of the service is up: requests waiting for one are answered 503 for ${Math.round(untilRetryMs / 1000)} s, until the next start (${why})`);
    this.d.startFailed(dep.serviceId, untilRetryMs).catch((err: unknown) => this.d.logger("answering held requests 503 failed", { serviceId: dep.serviceId, error: String(err) }));
  }

  /** A process inside a running instance killed for memory (the instance itself lives on). */
  private async reportOomKills(l: LiveInstance): Promise<void> {
    const count = await oomKillCount(l.container);
    if (count <= l.oomKills) return;
    l.oomKills = count;
    const dep = this.d.records.deployment(l.record.deploymentId);
    if (!dep) return;
    const mb = Math.round(dep.plan.memoryBytes / (1024 * 1024));
    this.d.serviceEvent(
      identity(dep),
      `Instance ${l.record.instanceId} ran out of memory: the kernel killed a process that exceeded the instance's ${mb} MB limit (OOM).`,
    );
  }

  /** One pass: find exited instances; start replacements where a serving deployment is short. */
  async tick(): Promise<void> {
    if (this.stopping) return;
    const { pool, records } = this.d;
    for (const l of pool.all()) {
      if (this.queued.has(l.record.instanceId)) continue;
      if (!l.ending && isAlive(l.pid)) await this.reportOomKills(l);
      if (l.ending || isAlive(l.pid)) continue;
      const dep = records.deployment(l.record.deploymentId);
      const why = exitMessage(l.record.instanceId, await containerState(l.container), dep?.plan.memoryBytes ?? 0);
      const fail = this.d.startupFailure(l.record.instanceId);
      if (fail || dep?.role === "starting") {
        // A starting deployment's health step judges it (and starts it again if nobody waited yet).
        fail?.(why);
        if (dep) this.d.serviceEvent(identity(dep), why);
        this.underLock(
          l.record.instanceId,
          l.record.serviceId,
          () => pool.end(l),
          (err) => this.d.logger("removing an instance that exited failed", { instanceId: l.record.instanceId, error: String(err) }),
        );
      } else if (dep) {
        this.replace(dep, l, `${why} Starting a replacement.`);
      }
    }
    for (const dep of records.deployments()) {
      if (dep.role === "starting" || this.stopping) continue;
      const b = this.backoff.get(dep.deploymentId);
      if (b && this.d.clock.now() < b.notBefore) continue;
      if (pool.of(dep.deploymentId).length >= dep.desired) continue;
      this.underLock(
        dep.deploymentId,
        dep.serviceId,
        async () => {
          // Retired meanwhile: nothing to replace.
          const now = records.deployment(dep.deploymentId);
          if (now) await this.d.ensureInstances(now);
        },
        (err) => {
          this.d.serviceEvent(identity(dep), `Starting a replacement instance failed: ${err instanceof Error ? err.message : String(err)}`);
        },
      );
    }
  }
}
