import { newResourceId } from "../../domain/arns.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { Random } from "../../util/random.js";
import { adoptInstance, createAhead, removeAhead, endInstance, removeInstance, startCreated, startInstance, type CreatedInstance, type InstanceDeps } from "./instance-lifecycle.js";
import type { LiveInstance } from "./live-instance.js";
import { destroyNetwork, MAX_SLOT, networkForSlot } from "../../executor/network.js";
import type { DeploymentRecord, InstanceRecord } from "./records.js";

/** What a service at zero keeps for its next instance. */
interface Standby {
  slot: number;
  /** Its next instance, made ahead (or being made); resolves undefined when it could not be. */
  made: Promise<CreatedInstance | undefined> | undefined;
}

/** The instances this process supervises, and the address slots they hold. */
export class InstancePool {
  private readonly live = new Map<string, LiveInstance>();
  /** Slots taken, including those of instances still being created. */
  private readonly slots = new Set<number>();
  /**
   * serviceId -> what a service at zero keeps for its next instance (issue 20's cold start): the
   * slot whose network namespace and veth stay ready (its slot stays taken), and the next
   * instance made ahead (InstanceDeps.wakeAhead: its bundle prepared, or up to `runc create`).
   */
  private readonly warm = new Map<string, Standby>();
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
    const ahead = await this.takeAhead(warm, d);
    if (ahead) return ahead;
    const slot = warm?.slot ?? this.allocateSlot();
    try {
      const live = await startInstance(this.deps, d, newResourceId(this.random), slot, { networkReady: warm !== undefined });
      this.live.set(live.record.instanceId, live);
      return live;
    } catch (err) {
      this.slots.delete(slot);
      throw err;
    }
  }

  /** The instance made ahead, started, if it is of this deployment; else it goes (its network stays for the start that follows). */
  private async takeAhead(warm: Standby | undefined, d: DeploymentRecord): Promise<LiveInstance | undefined> {
    const made = await warm?.made;
    if (!made) return undefined;
    if (made.record.deploymentId !== d.deploymentId) {
      await removeAhead(made);
      return undefined;
    }
    try {
      const live = await startCreated(this.deps, d, made);
      this.live.set(live.record.instanceId, live);
      return live;
    } catch (err) {
      // startCreated removed it: a fresh instance in the same slot is the start's second chance.
      this.deps.logger("starting the instance made ahead failed; making a new one", { instanceId: made.record.instanceId, error: String(err) });
      return undefined;
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
      if (kept) this.warm.set(serviceId, { slot: l.record.slot, made: this.makeAhead(l.record.deploymentId, l.record.slot) });
      else this.slots.delete(l.record.slot);
    }
  }

  /**
   * The service's next instance, made while it is at zero (not awaited by the scale that stopped
   * the last one). Undefined when it could not be made: the wake then makes one the usual way.
   */
  private async makeAhead(deploymentId: string, slot: number): Promise<CreatedInstance | undefined> {
    const d = this.deps.records.deployment(deploymentId);
    if (!d) return undefined;
    try {
      return await createAhead(this.deps, d, newResourceId(this.random), slot, { networkReady: true });
    } catch (err) {
      this.deps.logger("making the next instance ahead of a wake failed", { serviceId: d.serviceId, error: String(err) });
      return undefined;
    }
  }

  /** Removes the instance a service at zero made ahead; its network stays ready. */
  private async dropAhead(serviceId: string): Promise<void> {
    const warm = this.warm.get(serviceId);
    const made = await warm?.made;
    if (!warm || !made) return;
    // A wake may have taken it meanwhile (start() removes the entry before it waits).
    if (this.warm.get(serviceId) === warm) warm.made = undefined;
    else return;
    await removeAhead(made);
  }

  /** The network a service at zero kept ready goes (the service is paused, deleted, or the runtime stops). */
  async releaseWarm(serviceId: string): Promise<void> {
    await this.dropAhead(serviceId);
    const slot = this.warm.get(serviceId)?.slot;
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
    // The instance made ahead for a wake (its deployment retired while the service is at zero).
    const warm = this.warm.get(r.serviceId);
    if (warm?.made && (await warm.made)?.record.instanceId === r.instanceId) return this.dropAhead(r.serviceId);
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
