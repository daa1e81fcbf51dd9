import { join } from "node:path";
import type { ControlPlaneModule, ModuleDeps } from "../../modules.js";
import { DEFAULT_FOLLOW_SETTINGS, FollowChains, type FollowSettings, type FollowStats } from "./api/follow-chain.js";
import { logsApi } from "./api/logs-api.js";
import { LogStore } from "./store/log-store.js";
import { sweep, type SweepResult } from "./store/sweeper.js";

const SWEEP_EVERY_MS = 60_000;

export interface LogsModule extends ControlPlaneModule {
  logSink: LogStore;
  /** Runs a retention sweep now (after one in progress, if any); tests and tools use it. */
  sweepNow(): Promise<SweepResult>;
  /** FilterLogEvents' follow chains (`aws logs tail --follow`): requests, held requests, woken answers. */
  followStats(): FollowStats;
}

/**
 * CloudWatch Logs: the durable log store in `<data-dir>/logs.db` (the log sink for service
 * events and application output), the Logs API, and a retention sweep every minute.
 */
export function createLogsModule(deps: ModuleDeps, opts: { follow?: Partial<FollowSettings> } = {}): LogsModule {
  const store = LogStore.open(join(deps.dataDir, "logs.db"), deps.clock, { logger: deps.logger });
  const follow = new FollowChains({ ...DEFAULT_FOLLOW_SETTINGS, ...opts.follow });
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<SweepResult> | undefined;
  let stopping = false;

  const runSweep = async (): Promise<SweepResult> => {
    while (sweeping) await sweeping.catch(() => undefined);
    const run = sweep(store.db, deps.clock.now(), { cancelled: () => stopping });
    sweeping = run;
    try {
      const r = await run;
      if (r.deletedEvents > 0) deps.logger("log retention sweep", { ...r });
      return r;
    } finally {
      if (sweeping === run) sweeping = undefined;
    }
  };

  return {
    name: "logs",
    apis: [logsApi(store, { follow })],
    logSink: store,
    sweepNow: runSweep,
    followStats: () => follow.stats,
    start() {
      timer = setInterval(() => {
        if (sweeping || stopping) return;
        runSweep().catch((err: unknown) =>
          deps.logger("log retention sweep failed", { error: err instanceof Error ? err.message : String(err) }),
        );
      }, SWEEP_EVERY_MS);
      // The sweep never keeps the process alive on its own.
      timer.unref();
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      await sweeping?.catch(() => undefined);
      // Also answers every held FilterLogEvents request (the server has closed their sockets).
      store.close();
    },
  };
}
