import { join } from "node:path";
import type { ApiCallRecord, AwsJsonApi } from "../../api/service-registry.js";
import type { ControlPlaneModule, ModuleDeps, ModuleFactory } from "../../modules.js";
import { uuid } from "../../util/random.js";
import { cloudTrailApis } from "./cloudtrail-api.js";
import { toTrailEntry } from "./cloudtrail-event.js";
import { TrailRecorder } from "./recorder.js";
import { RETENTION_ENV, retentionDaysFrom } from "./retention.js";
import { RetentionSweeper } from "./retention-sweeper.js";
import { TrailStore } from "./trail-store.js";

export interface AuditOptions {
  /** Days of history kept; else OPENRUNNER_TRAIL_RETENTION_DAYS; else CloudTrail's 90. */
  retentionDays?: number;
  /** How long a recorded call may wait in memory before it is written (default 200 ms). */
  flushEveryMs?: number;
  /** How often expired events are deleted (default hourly). */
  sweepEveryMs?: number;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Calls CloudTrail can attribute: to a service it knows and an operation it names. */
const attributable = (call: ApiCallRecord): call is ApiCallRecord & { api: AwsJsonApi; operation: string } =>
  call.api !== undefined && call.operation !== undefined && call.operation !== "";

/**
 * The audit trail: every API call of every API OpenRunner serves becomes a CloudTrail event in
 * `<data-dir>/trail.db`, readable through CloudTrail's LookupEvents. Calls with an X-Amz-Target
 * no API claims are not recorded: CloudTrail has no event source to file them under.
 */
export function auditModule(options: AuditOptions = {}): ModuleFactory {
  return (deps: ModuleDeps): ControlPlaneModule => {
    const retention = retentionDaysFrom(options.retentionDays, process.env[RETENTION_ENV]);
    if (retention.warning) deps.logger(retention.warning);
    const store = TrailStore.open(join(deps.dataDir, "trail.db"));
    const recorder = new TrailRecorder({
      write: (batch) => store.append(batch),
      logger: deps.logger,
      ...(options.flushEveryMs !== undefined ? { flushEveryMs: options.flushEveryMs } : {}),
    });
    const sweeper = new RetentionSweeper({
      store,
      clock: deps.clock,
      retentionDays: retention.days,
      logger: deps.logger,
      ...(options.sweepEveryMs !== undefined ? { everyMs: options.sweepEveryMs } : {}),
    });
    let closed = false;
    return {
      name: "audit",
      apis: cloudTrailApis({ store, clock: deps.clock, retentionDays: retention.days, flush: () => recorder.flush() }),
      onApiCall(call) {
        if (closed || !attributable(call)) return;
        try {
          const principal = call.accessKeyId ? deps.credentials.find(call.accessKeyId)?.principal : undefined;
          const { region, accountId } = deps.config;
          recorder.record(toTrailEntry(call, { region, accountId, eventId: uuid(deps.random), principal }));
        } catch (err) {
          // Never the caller's problem: the call has been answered already.
          deps.logger("audit trail could not record a call", { operation: call.operation, error: errorText(err) });
        }
      },
      start() {
        sweeper.start();
      },
      async stop() {
        closed = true;
        await sweeper.stop();
        recorder.stop();
        store.close();
      },
    };
  };
}

export function createAuditModule(deps: ModuleDeps): ControlPlaneModule {
  return auditModule()(deps);
}
