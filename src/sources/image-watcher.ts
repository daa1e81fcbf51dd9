import { setTimeout as sleep } from "node:timers/promises";
import { startAutomaticDeployment, type LifecycleDeps } from "../domain/service-lifecycle.js";
import type { ServiceDoc, ServiceInternal, ServiceRow } from "../domain/service-record.js";
import type { ImageStore } from "../images/types.js";
import { PeriodicTask, type TaskTimers } from "../util/periodic-task.js";

export const IMAGE_UPDATE_TRIGGER = "IMAGE_UPDATE";
const PUSH_RETRY_DELAYS_MS = [200, 500, 1000, 2000, 0];

export interface ImageWatcherOptions {
  deps: LifecycleDeps;
  images: ImageStore;
  /** How often every watched tag is resolved again; 0 turns polling off (notifications still work). */
  pollMs: number;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /**
   * One name for every name a registry goes by (the built-in registry's address and this
   * account's ECR host): its push notifications name the address, services may name either.
   */
  registryHostOf?: (host: string) => string;
  /** Tests: the poll's timers (Node's by default). */
  timers?: TaskTimers;
}

/**
 * Automatic deployment for image services: a new digest behind a watched tag starts a
 * deployment. Found by polling the registry, or at once when the registry notifies a push.
 * A digest whose deployment failed is not tried again until the tag moves on.
 */
export class ImageWatcher {
  private readonly poll: PeriodicTask;
  /** Per service: the digest last deployed automatically (or failed), so a bad one is tried once. */
  private readonly attempted = new Map<string, string>();

  constructor(private readonly opts: ImageWatcherOptions) {
    this.poll = new PeriodicTask({
      name: "image watcher poll",
      everyMs: opts.pollMs,
      run: () => this.pass(),
      logger: opts.logger,
      ...(opts.timers ? { timers: opts.timers } : {}),
    });
  }

  /** Polls every pollMs (none with pollMs 0). Idempotent. */
  start(): void {
    this.poll.start();
  }

  /** No poll after this; resolves once the pass under way has ended. */
  async stop(): Promise<void> {
    await this.poll.stop();
  }

  /** Services whose image is `registry/repository:tag` (a registry push notification). */
  async onPush(registryHost: string, repository: string, tag: string, pushedDigest?: string): Promise<number> {
    const matching = this.watched().filter((s) => {
      const id = imageOf(s);
      return id !== undefined && sameImage(id, registryHost, repository, tag, this.opts.registryHostOf);
    });
    this.opts.logger("registry push notification", { registryHost, repository, tag, services: matching.length });
    // A CNCF distribution registry notifies before it moves the tag: for a moment the tag still
    // names the old digest, or reading it fails ("invalid checksum digest format", HTTP 500).
    // Try again shortly until the tag names what was pushed.
    for (const s of matching) {
      for (const delayMs of PUSH_RETRY_DELAYS_MS) {
        if (await this.check(s, pushedDigest)) break;
        await sleep(delayMs);
      }
    }
    return matching.length;
  }

  /** A polling pass that starts now or right after the one under way (never overlapping it). */
  async checkAll(): Promise<void> {
    await this.poll.runNow();
  }

  private async pass(): Promise<void> {
    for (const s of this.watched()) {
      try {
        await this.check(s);
      } catch (err) {
        this.opts.logger("automatic deployment: checking the service failed", { service: s.arn, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  private watched(): ServiceRow[] {
    return this.opts.deps.store.resources
      .list<ServiceDoc, ServiceInternal>({ kind: "service" })
      .filter((s) => !s.deletedAt && s.doc.SourceConfiguration?.AutoDeploymentsEnabled === true && imageOf(s) !== undefined);
  }

  /** Whether the service's tag could be resolved to what is expected (false: try again later). */
  private async check(s: ServiceRow, expected?: string): Promise<boolean> {
    const identifier = imageOf(s);
    const current = s.internal.currentImageDigest;
    if (!identifier || !current || s.status !== "RUNNING" || identifier.includes("@")) {
      this.opts.logger("automatic deployment: not now", { service: s.arn, status: s.status, current });
      return true;
    }
    let digest: string;
    try {
      digest = await this.opts.images.resolve(identifier);
    } catch (err) {
      this.opts.logger("automatic deployment: resolving the image failed", { service: s.arn, error: err instanceof Error ? err.message : String(err) });
      return false;
    }
    if (expected && digest !== expected && expected !== current) return false;
    if (digest === current || digest === this.attempted.get(s.arn)) return true;
    const op = startAutomaticDeployment(this.opts.deps, s.arn, IMAGE_UPDATE_TRIGGER);
    if (op) this.attempted.set(s.arn, digest);
    this.opts.logger(op ? "automatic deployment started" : "automatic deployment deferred: the service is busy", {
      service: s.arn,
      digest,
      operationId: op,
    });
    return true;
  }
}

function imageOf(s: ServiceRow): string | undefined {
  return s.doc.SourceConfiguration?.ImageRepository?.ImageIdentifier;
}

/** Whether an identifier names registry/repository:tag (a missing tag means latest). */
export function sameImage(identifier: string, registryHost: string, repository: string, tag: string, hostOf: (host: string) => string = (h) => h): boolean {
  const slash = identifier.indexOf("/");
  if (slash < 0) return false;
  const host = identifier.slice(0, slash);
  const rest = identifier.slice(slash + 1);
  const colon = rest.lastIndexOf(":");
  const repo = colon > 0 ? rest.slice(0, colon) : rest;
  const t = colon > 0 ? rest.slice(colon + 1) : "latest";
  return hostOf(host) === hostOf(registryHost) && repo === repository && t === tag;
}
