import { newResourceId } from "../../domain/arns.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { Random } from "../../util/random.js";
import { adoptInstance, endInstance, removeInstance, startInstance, type InstanceDeps } from "./instance-lifecycle.js";
import type { LiveInstance } from "./live-instance.js";
import { MAX_SLOT, networkForSlot } from "../../executor/network.js";
import type { DeploymentRecord, InstanceRecord } from "./records.js";

/** The instances this process supervises, and the address slots they hold. */
export class InstancePool {
  private readonly live = new Map<string, LiveInstance>();
  /** Slots taken, including those of instances still being created. */
  private readonly slots = new Set<number>();

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
    const slot = this.allocateSlot();
    try {
      const live = await startInstance(this.deps, d, newResourceId(this.random), slot);
      this.live.set(live.record.instanceId, live);
      return live;
    } catch (err) {
      this.slots.delete(slot);
      throw err;
    }
  }

  async end(l: LiveInstance): Promise<void> {
    if (l.ending) return;
    try {
      await endInstance(this.deps, l);
    } finally {
      this.live.delete(l.record.instanceId);
      this.slots.delete(l.record.slot);
    }
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
