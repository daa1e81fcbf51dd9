/**
 * Deleted images leave their blobs on disk: distribution removes a manifest's links at once,
 * and the blobs only with its garbage collection, which must run while no registry serves the
 * storage (a push in progress could lose blobs otherwise). So a deletion marks the storage, and
 * the next start of the registry collects before it serves: `docker-registry garbage-collect`
 * without `--delete-untagged`, since ECR keeps untagged images until they are deleted.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TaskLogger } from "../util/periodic-task.js";

export interface GarbageOptions {
  /** `<data-dir>/registry`: the marker lives here. */
  dir: string;
  configPath: string;
  logger: TaskLogger;
  binary?: string;
  /** Bound on one collection; a slow disk leaves the marker for the next start. Default 5 min. */
  timeoutMs?: number;
}

/** Pure: how many blobs a collection's output says it removed (its report on stdout; its log may be quieter). */
export function blobsRemoved(output: string): number {
  return output.split("\n").filter((line) => /^blob eligible for deletion: sha256:/.test(line.trim())).length;
}

export class RegistryGarbage {
  constructor(private readonly opts: GarbageOptions) {}

  private get marker(): string {
    return join(this.opts.dir, "garbage.pending");
  }

  /** Something was deleted: its blobs are collected at the next start. */
  async deleted(): Promise<void> {
    await writeFile(this.marker, "", { mode: 0o600 });
  }

  /**
   * Collects when a deletion is pending, before the registry starts. A failed collection is
   * logged and keeps the marker (the next start tries again); it never stops the registry.
   */
  async collectIfPending(): Promise<number | undefined> {
    if (!existsSync(this.marker)) return undefined;
    const started = Date.now();
    const outcome = await new Promise<{ ok: boolean; output: string }>((done) => {
      execFile(this.opts.binary ?? "docker-registry", ["garbage-collect", this.opts.configPath], { timeout: this.opts.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
        done({ ok: err === null, output: `${stdout}${stderr}` }),
      );
    });
    if (!outcome.ok) {
      this.opts.logger("registry garbage collection failed; it runs again at the next start", { component: "registry", output: outcome.output.slice(-2000) });
      return undefined;
    }
    await rm(this.marker, { force: true });
    const removed = blobsRemoved(outcome.output);
    this.opts.logger("registry garbage collected", { component: "registry", blobsRemoved: removed, ms: Date.now() - started });
    return removed;
  }
}
