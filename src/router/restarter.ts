import { AppRunnerError } from "../errors/app-runner-error.js";
import type { HaproxyProcess, Logger } from "./haproxy-process.js";
import type { DataPlaneRestart } from "./router-options.js";
import { nextCheckMs } from "./watchdog.js";

const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export interface RestarterDeps {
  process: HaproxyProcess;
  /** Aborted when the router stops or detaches: nothing is restarted after that. */
  signal: AbortSignal;
  /** Starts HAProxy with the current routes (the caller holds the router's serial slot). */
  startNow: () => Promise<void>;
  /** The services the worker was serving, for the restart's report. */
  services: () => DataPlaneRestart["services"];
  /** The watchdog's period: the base of the back-off between failed restarts. */
  everyMs: number;
  logger: Logger;
  onRestart?: (restart: DataPlaneRestart) => void;
  /** Wall-clock ms, for the back-off decision (injected so it can be table-tested). */
  now?: () => number;
}

/**
 * Brings a dead HAProxy master back with the current routes. While restarting keeps failing,
 * only the watchdog tries again (with its back-off); other callers fail at once with the last
 * error, so API calls do not pile restarts onto a broken host.
 */
export class Restarter {
  readonly restarts: DataPlaneRestart[] = [];
  private failed = 0;
  private allowedAt = 0;
  private lastError: unknown;
  private readonly now: () => number;

  constructor(private readonly d: RestarterDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Caller holds the serial slot. Starts HAProxy again with the current routes if its master is gone. */
  async restartIfDead(fromWatchdog = false): Promise<void> {
    const { process, logger } = this.d;
    if (this.d.signal.aborted || (await process.alive())) return;
    if (!fromWatchdog && this.now() < this.allowedAt) {
      throw new AppRunnerError("InternalServiceError", `HAProxy is down and could not be restarted: ${errText(this.lastError)}`);
    }
    const started = performance.now();
    const previous = process.masterPid;
    const reason = previous === undefined ? "HAProxy was not running" : await process.exitReason(previous);
    logger("data plane: HAProxy is gone; restarting it with the current routes", { reason });
    try {
      await process.stopOrphans();
      await this.d.startNow();
      this.failed = 0;
    } catch (err) {
      this.lastError = err;
      this.allowedAt = this.now() + nextCheckMs(this.d.everyMs, ++this.failed);
      throw err;
    }
    const restart: DataPlaneRestart = {
      reason,
      previousMasterPid: previous,
      masterPid: process.masterPid,
      ms: Math.round(performance.now() - started),
      services: this.d.services(),
    };
    this.restarts.push(restart);
    logger("data plane: HAProxy restarted", { ...restart, services: restart.services.length });
    try {
      this.d.onRestart?.(restart);
    } catch (err) {
      logger("data plane: reporting the restart failed", { error: errText(err) });
    }
  }
}
