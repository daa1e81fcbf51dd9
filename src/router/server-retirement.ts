import { setTimeout as sleep } from "node:timers/promises";
import { backendName } from "./haproxy-config.js";
import type { Logger } from "./haproxy-process.js";
import type { LiveBackend } from "./live-backends.js";
import { removalStep, streamsByServer } from "./server-removal.js";
import { backendStats, parseStatCsv } from "./stats.js";

const POLL_MS = 100;

export interface RetirementDeps {
  /** The running worker's view of a service's backend. */
  live(serviceId: string): LiveBackend | undefined;
  /** A runtime API command whose answer must match `ok` (or be empty); throws otherwise. */
  cmd(text: string, ok?: RegExp): Promise<string>;
  /** A runtime API command whose answer the caller reads. */
  ask(text: string): Promise<string>;
  /** A runtime API read that waits for HAProxy to be restarted instead of failing. */
  read(text: string): Promise<string>;
  /** Workers of earlier reloads still running (waits for a restart likewise). */
  oldWorkers(): Promise<number>;
  /** Runs a change to the data plane in turn with every other change. */
  serial<T>(fn: () => Promise<T>): Promise<T>;
  /** Servers were deleted: haproxy.cfg follows. */
  changed(): void;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * Removes servers that left a backend (drained, or down because their instance failed), once
 * nothing references them (server-removal.ts), bounded by the drain timeout.
 */
export class Retirement {
  constructor(private readonly d: RetirementDeps) {}

  async retire(serviceId: string, ids: readonly string[], timeoutMs: number): Promise<void> {
    const be = backendName(serviceId);
    const started = Date.now();
    let sessionsClosed = false;
    while (!this.d.signal.aborted) {
      const [stat, sess, oldWorkers] = await Promise.all([this.d.read("show stat -1 6 -1"), this.d.read("show sess"), this.d.oldWorkers()]);
      const perServer = backendStats(parseStatCsv(stat)).find((s) => s.backend === be)?.perServer ?? {};
      const streams = streamsByServer(sess, be);
      const servers = ids.map((id) => ({ busy: (perServer[id]?.scur ?? 0) + (perServer[id]?.qcur ?? 0), streams: streams.get(id) ?? 0 }));
      const elapsedMs = Date.now() - started;
      const step = removalStep({ servers, oldWorkers, elapsedMs, timeoutMs, sessionsClosed });
      if (step === "delete" && (await this.d.serial(() => this.deleteServers(serviceId, ids)))) return;
      if (step === "keep" || (step === "delete" && elapsedMs > 2 * timeoutMs)) {
        this.d.logger("servers still referenced: left in maintenance until the next reload", { serviceId, servers: ids, elapsedMs });
        return;
      }
      if (step === "close-sessions") {
        await this.d.serial(async () => {
          for (const id of ids) if (this.leaving(serviceId, id)) await this.d.cmd(`shutdown sessions server ${be}/${id}`);
        });
        sessionsClosed = true;
      }
      await sleep(POLL_MS);
    }
  }

  private leaving(serviceId: string, id: string): boolean {
    const s = this.d.live(serviceId)?.servers.get(id);
    return s !== undefined && (s.state === "draining" || s.state === "down");
  }

  /** Caller holds the serial slot. Maintenance, a last look for streams naming them, then `del server`; false to try again later. */
  private async deleteServers(serviceId: string, ids: readonly string[]): Promise<boolean> {
    const be = backendName(serviceId);
    const live = this.d.live(serviceId);
    const mine = ids.filter((id) => this.leaving(serviceId, id)); // re-added meanwhile, or gone with a reload
    if (mine.length === 0) return true;
    for (const id of mine) {
      const s = live?.servers.get(id);
      if (s?.state === "draining") {
        await this.d.cmd(`disable server ${be}/${id}`); // no request can pick it any more; its idle connections close
        s.state = "down";
      }
    }
    const streams = streamsByServer(await this.d.ask("show sess"), be);
    let all = true;
    for (const id of mine) {
      if ((streams.get(id) ?? 0) > 0) {
        all = false;
        continue;
      }
      if (/Server deleted/.test(await this.d.ask(`del server ${be}/${id}`))) live?.servers.delete(id);
      else all = false; // e.g. an idle connection still closing
    }
    this.d.changed();
    return all;
  }
}
