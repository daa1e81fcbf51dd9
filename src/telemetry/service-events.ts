import type { ControlPlaneConfig } from "../domain/config.js";
import { appendServiceEvent, appendServiceStatusChange, type BusDeps, type ServiceIdentity } from "../domain/service-bus-events.js";
import type { OperationEvent, Severity } from "../domain/service-events.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import { deploymentStream, EVENTS_STREAM, serviceLogGroup } from "./log-groups.js";
import { DISCARD_LOGS, type LogSink } from "./log-sink.js";

export type { ServiceIdentity };

/**
 * Writes what App Runner tells users about a service: lines in its `events` and
 * `deployment/<operation-id>` streams, and EventBridge events in the outbox. Callers run it
 * inside the transaction that makes the change, so an EventBridge event exists exactly when its
 * change does (log lines go to the log sink, which may be another database).
 */
export class ServiceEventRecorder {
  private readonly logs: LogSink;

  constructor(
    private readonly store: Store,
    private readonly config: ControlPlaneConfig,
    private readonly clock: Clock,
    private readonly random: Random,
    logs?: LogSink,
  ) {
    this.logs = logs ?? DISCARD_LOGS;
  }

  operationStatus(s: ServiceIdentity, ev: OperationEvent): void {
    this.eventsLine(s, ev.message);
    this.bus(s, "AppRunner Service Operation Status Change", {
      Status: ev.status,
      ServiceName: s.name,
      ServiceId: s.id,
      Message: ev.message,
      Severity: ev.severity,
    });
  }

  serviceStatus(s: ServiceIdentity, previous: string, current: string): void {
    appendServiceStatusChange(this.busDeps(), s, previous, current);
  }

  /** A line in the service's events stream, prefixed as App Runner prefixes its own. */
  eventsLine(s: ServiceIdentity, message: string): void {
    this.line(serviceLogGroup(s.name, s.id), EVENTS_STREAM, `[AppRunner] ${message}`);
  }

  deploymentLine(s: ServiceIdentity, operationId: string, message: string): void {
    this.line(serviceLogGroup(s.name, s.id), deploymentStream(operationId), message.startsWith("[") ? message : `[AppRunner] ${message}`);
  }

  /**
   * Written at once, not left in the sink's batch: these lines are few, and a restart resumes
   * the operation after the step that wrote them, so a line lost in a crash is never rewritten.
   */
  private line(group: string, stream: string, message: string): void {
    this.logs.append(group, stream, [{ timestamp: this.clock.now(), message }]);
    this.logs.flush?.();
  }

  private busDeps(): BusDeps {
    return { store: this.store, config: this.config, clock: this.clock, random: this.random };
  }

  private bus(s: ServiceIdentity, detailType: string, detail: Record<string, unknown> & { Severity: Severity }): void {
    appendServiceEvent(this.busDeps(), s, detailType, detail);
  }
}
