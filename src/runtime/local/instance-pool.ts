import { newResourceId } from "../../domain/arns.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { Random } from "../../util/random.js";
import { adoptInstance, endInstance, removeInstance, startInstance, type InstanceDeps } from "./instance-lifecycle.js";
import type { LiveInstance } from "./live-instance.js";
import { destroyNetwork, MAX_SLOT, networkForSlot } from "../../executor/network.js";
import type { DeploymentRecord, InstanceRecord } from "./records.js";

/** The instances this process supervises, and the address slots they hold. */
export class InstancePool {
  private readonly live = new Map<string, LiveInstance>();
  /** Slots taken, including those of instances still being created. */
  private readonly slots = new Set<number>();
  /**
   * serviceId -> the slot whose network namespace and veth a service at zero keeps ready (issue
   * 20): its next instance starts without making them (~25 ms of a cold start). Its slot stays taken.
   */
  private readonly warm = new Map<string, number>();
  /** instanceId -> its teardown under way. */
  private readonly endings = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: InstanceDeps,
    private readonly random: Random,
  ) {}

  all(): LiveInstance[] {
    return [...this.live.values()];
  }

  /** The deployment's instances that are not being torn down. */
  of(deploymentId: string): LiveInstance[] {
    return this.all().filter((l) => l.record.deploymentId === deploymentId && !l.ending);
  }

  /** After a restart: watch the recorded instances whose containers still run; remove the rest. */
  async adopt(deployments: ReadonlyMap<string, DeploymentRecord>, records: readonly InstanceRecord[]): Promise<void> {
    for (const r of records) {
      const d = deployments.get(r.deploymentId);
      const adopted = d ? await adoptInstance(this.deps, d, r) : undefined;
      if (adopted) {
        this.live.set(r.instanceId, adopted);
        this.slots.add(r.slot);
      } else {
        await this.removeRecorded(r);
      }
    }
  }

  async start(d: DeploymentRecord): Promise<LiveInstance> {
    const warm = this.warm.get(d.serviceId);
    this.warm.delete(d.serviceId);
    const slot = warm ?? this.allocateSlot();
    try {
      const live = await startInstance(this.deps, d, newResourceId(this.random), slot, { networkReady: warm !== undefined });
      this.live.set(live.record.instanceId, live);
      return live;
    } catch (err) {
      this.slots.delete(slot);
      throw err;
    }
  }

  /** Tears the instance down; `keepNetwork` (a service going to zero) keeps its network for the service's next instance. */
  end(l: LiveInstance, opts: { keepNetwork?: boolean } = {}): Promise<void> {
    // A second end (the runtime stopping while the supervisor replaces it) waits for the first:
    // returning at once let a stop's cleanup remove the same network under it.
    const running = this.endings.get(l.record.instanceId);
    if (running) return running;
    if (l.ending) return Promise.resolve();
    const ending = this.endOnce(l, opts).finally(() => this.endings.delete(l.record.instanceId));
    this.endings.set(l.record.instanceId, ending);
    return ending;
  }

  private async endOnce(l: LiveInstance, opts: { keepNetwork?: boolean }): Promise<void> {
    const { serviceId } = l.record;
    const keep = opts.keepNetwork === true && !this.warm.has(serviceId);
    let kept = false;
    try {
      await endInstance(this.deps, l, { keepNetwork: keep });
      kept = keep;
    } finally {
      this.live.delete(l.record.instanceId);
      if (kept) this.warm.set(serviceId, l.record.slot);
      else this.slots.delete(l.record.slot);
    }
  }

  /** The network a service at zero kept ready goes (the service is paused, deleted, or the runtime stops). */
  async releaseWarm(serviceId: string): Promise<void> {
    const slot = this.warm.get(serviceId);
    if (slot === undefined) return;
    this.warm.delete(serviceId);
    try {
      await destroyNetwork(networkForSlot(this.deps.layout, slot));
    } finally {
      this.slots.delete(slot);
    }
  }

  /** Every service's kept network (the runtime stops). */
  async releaseAllWarm(): Promise<void> {
    for (const serviceId of [...this.warm.keys()]) await this.releaseWarm(serviceId);
  }

  /** Removes an instance known only by its record (not live: half-created, or its container died). */
  async removeRecorded(r: InstanceRecord): Promise<void> {
    await removeInstance(this.deps, {
      containerId: r.containerId,
      dir: this.deps.records.instanceDir(r.instanceId),
      network: networkForSlot(this.deps.layout, r.slot),
      cgroupsPath: `/${this.deps.layout.prefix}/${r.instanceId}`,
    });
    if (!this.live.has(r.instanceId)) this.slots.delete(r.slot);
  }

  private allocateSlot(): number {
    for (let slot = 1; slot <= MAX_SLOT; slot++) {
      if (!this.slots.has(slot)) {
        this.slots.add(slot);
        return slot;
      }
    }
    throw new AppRunnerError("InstanceFailed", `No free instance address is left on this host (${MAX_SLOT} instances).`);
  }
}
