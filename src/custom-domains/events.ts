import type { BusDeps } from "../domain/service-bus-events.js";
import { appendServiceEvent } from "../domain/service-bus-events.js";
import type { Severity } from "../domain/service-events.js";
import type { ServiceRow } from "../domain/service-record.js";
import type { ServiceEventRecorder } from "../telemetry/service-events.js";

/**
 * The EventBridge detail-type of every custom-domain event: App Runner documents no event for
 * associations, so OpenRunner names it after its "AppRunner Service Status Change" and sends it
 * on status changes, on a change of what a record check found, and on renewals.
 */
export const CUSTOM_DOMAIN_DETAIL_TYPE = "AppRunner Custom Domain Association Status Change";

export interface CustomDomainEvent {
  domain: string;
  previousStatus: string;
  currentStatus: string;
  message: string;
  severity: Severity;
}

/** A line in the service's `events` stream and the EventBridge event, inside the caller's transaction. */
export function announce(deps: BusDeps & { events: ServiceEventRecorder }, s: ServiceRow, ev: CustomDomainEvent): void {
  const identity = { name: s.name, id: s.doc.ServiceId ?? "", arn: s.arn };
  deps.events.eventsLine(identity, ev.message);
  appendServiceEvent(deps, identity, CUSTOM_DOMAIN_DETAIL_TYPE, {
    ServiceName: s.name,
    ServiceId: identity.id,
    DomainName: ev.domain,
    PreviousStatus: ev.previousStatus,
    CurrentStatus: ev.currentStatus,
    Message: ev.message,
    Severity: ev.severity,
  });
}
