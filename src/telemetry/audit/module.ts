import { join } from "node:path";
import { servesOperation, type ApiCallRecord, type AwsJsonApi } from "../../protocol/service-registry.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { ControlPlaneModule, ModuleDeps, ModuleFactory } from "../../modules.js";
import { timeOrderedUuid } from "../../util/random.js";
import { AdmittedCalls } from "./admitted-calls.js";
import { cloudTrailApis } from "./cloudtrail-api.js";
import { requestParametersOf, toTrailEntry } from "./cloudtrail-event.js";
import { TrailRecorder } from "./recorder.js";
import { RETENTION_ENV, retentionDaysFrom } from "./retention.js";
import { RetentionSweeper } from "./retention-sweeper.js";
import { TrailStore } from "./trail-store.js";
import { PackedTrailQueue } from "./packed-trail.js";
import { TrailWriter } from "./trail-writer.js";

export interface AuditOptions {
  /** Days of history kept; else OPENRUNNER_TRAIL_RETENTION_DAYS; else CloudTrail's 90. */
  retentionDays?: number;
  /** How long a recorded call may wait in memory before it is written (default 200 ms). */
  flushEveryMs?: number;
  /** How often expired events are deleted (default hourly). */
  sweepEveryMs?: number;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Calls CloudTrail can attribute: to a service it knows and an operation that service has.
 * An X-Amz-Target naming no operation never ran anything; recording it would let any caller
 * fill the trail with names of its choosing.
 */
const attributable = (call: Pick<ApiCallRecord, "api" | "operation">): call is ApiCallRecord & { api: AwsJsonApi; operation: string } =>
  servesOperation(call.api, call.operation);

/**
 * The audit trail: every API call of every API OpenRunner serves becomes a CloudTrail event in
 * `<data-dir>/trail.db`, readable through CloudTrail's LookupEvents. Calls with an X-Amz-Target
 * no API claims are not recorded: CloudTrail has no event source to file them under.
 *
 * Recording never fails silently: a call is admitted only once what the trail keeps of its
 * request is worked out and the trail has room for it; otherwise it is refused before it runs
 * (and recorded as refused). Whatever fails after the answer is logged with the call's name.
 */
export function auditModule(options: AuditOptions = {}): ModuleFactory {
  return (deps: ModuleDeps): ControlPlaneModule => {
    const retention = retentionDaysFrom(options.retentionDays, process.env[RETENTION_ENV]);
    if (retention.warning) deps.logger(retention.warning);
    // Opened here first: the schema exists before the writer thread opens its own connection.
    const file = join(deps.dataDir, "trail.db");
    const store = TrailStore.open(file);
    const writer = new TrailWriter(file, { logger: deps.logger });
    const recorder = new TrailRecorder({
      queue: new PackedTrailQueue(),
      write: (batch) => writer.append(batch),
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
    /** What admitted calls will be recorded with, by request id, until their answer is recorded. */
    const admitted = new AdmittedCalls<Record<string, unknown> | null>();
    return {
      name: "audit",
      apis: cloudTrailApis({ store, clock: deps.clock, retentionDays: retention.days, flush: () => recorder.settled() }),
      admitApiCall(call) {
        if (closed || !attributable(call)) return;
        if (!recorder.hasRoom()) {
          throw new AppRunnerError("InternalServiceError", "The call was not run: the audit trail cannot record it now. Try again later.");
        }
        try {
          admitted.set(call.requestId, requestParametersOf(call));
        } catch (err) {
          // Recorded as refused, without the parameters that could not be worked out.
          admitted.set(call.requestId, null);
          deps.logger("audit trail could not record a call's parameters; the call was refused", { operation: call.operation, error: errorText(err) });
          throw new AppRunnerError("InternalServiceError", "The call was not run: the audit trail could not record its parameters.", { cause: err });
        }
      },
      onApiCall(call) {
        const prepared = admitted.take(call.requestId);
        if (closed || !attributable(call)) return;
        try {
          const principal = call.principal ?? (call.accessKeyId ? deps.credentials.find(call.accessKeyId)?.principal : undefined);
          const { region, accountId } = deps.config;
          const eventId = timeOrderedUuid(deps.random, call.time);
          recorder.record(toTrailEntry(call, prepared !== undefined ? { region, accountId, eventId, principal, requestParameters: prepared } : { region, accountId, eventId, principal }));
        } catch (err) {
          // The call has been answered already; what went wrong is logged, never dropped unseen.
          deps.logger("audit trail could not record a call", { operation: call.operation, requestId: call.requestId, error: errorText(err) });
        }
      },
      start() {
        sweeper.start();
      },
      async stop() {
        closed = true;
        await sweeper.stop();
        await recorder.close();
        await writer.close();
        store.close();
      },
    };
  };
}

export function createAuditModule(deps: ModuleDeps): ControlPlaneModule {
  return auditModule()(deps);
}
