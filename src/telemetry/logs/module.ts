import { join } from "node:path";
import type { ControlPlaneModule, ModuleDeps } from "../../modules.js";
import { DEFAULT_FOLLOW_SETTINGS, FollowChains, type FollowSettings, type FollowStats } from "./api/follow-chain.js";
import { logsApi } from "./api/logs-api.js";
import { LogStore } from "./store/log-store.js";
import { sweep, type SweepResult } from "./store/sweeper.js";
import { PeriodicTask } from "../../util/periodic-task.js";
import { logsAuthorization } from "./api/authorization.js";

const SWEEP_EVERY_MS = 60_000;

export interface LogsModule extends ControlPlaneModule {
  /** Where service and application log lines go. */
  logSink: LogStore;
  /** Runs a retention sweep now (after one in progress, if any); undefined if it failed (logged) or the module stopped. */
  sweepNow(): Promise<SweepResult | undefined>;
  /** FilterLogEvents' follow chains (`aws logs tail --follow`): requests, held requests, woken answers. */
  followStats(): FollowStats;
}

/** The logs module among others, for the composition root: its log sink takes service event and instance lines. */
export function isLogsModule(m: ControlPlaneModule): m is LogsModule {
  return "logSink" in m;
}

/**
 * CloudWatch Logs: the durable log store in `<data-dir>/logs.db` (the log sink for service
 * events and application output), the Logs API, and a retention sweep every minute.
 */
export function createLogsModule(deps: ModuleDeps, opts: { follow?: Partial<FollowSettings> } = {}): LogsModule {
  const store = LogStore.open(join(deps.dataDir, "logs.db"), deps.clock, { logger: deps.logger });
  const follow = new FollowChains({ ...DEFAULT_FOLLOW_SETTINGS, ...opts.follow });
  const sweeper = new PeriodicTask<SweepResult>({
    name: "log retention sweep",
    everyMs: SWEEP_EVERY_MS,
    run: async (signal) => {
      const r = await sweep(store.db, deps.clock.now(), { cancelled: () => signal.aborted });
      if (r.deletedEvents > 0) deps.logger("log retention sweep", { ...r });
      return r;
    },
    logger: deps.logger,
  });

  return {
    name: "logs",
    apis: [{ ...logsApi(store, { follow }), authorization: logsAuthorization(deps.config.region) }],
    logSink: store,
    sweepNow: () => sweeper.runNow(),
    followStats: () => follow.stats,
    start() {
      sweeper.start();
    },
    async stop() {
      await sweeper.stop();
      // Also answers every held FilterLogEvents request (the server has closed their sockets).
      store.close();
    },
  };
}
