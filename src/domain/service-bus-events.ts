import type { Store } from "../store/store.js";
import type { Clock } from "../util/clock.js";
import { uuid, type Random } from "../util/random.js";
import type { ControlPlaneConfig } from "./config.js";
import { serviceStatusEvent, type Severity } from "./service-events.js";

export interface ServiceIdentity {
  name: string;
  id: string;
  arn: string;
}

export interface BusDeps {
  store: Store;
  config: ControlPlaneConfig;
  clock: Clock;
  random: Random;
}

/**
 * An `aws.apprunner` EventBridge event about a service, put in the outbox. Callers run it
 * inside the transaction that makes the change, so the event exists exactly when its change does.
 */
export function appendServiceEvent(deps: BusDeps, s: ServiceIdentity, detailType: string, detail: Record<string, unknown> & { Severity: Severity }): void {
  const now = deps.clock.now();
  deps.store.outbox.append(
    {
      version: "0",
      id: uuid(deps.random),
      "detail-type": detailType,
      source: "aws.apprunner",
      account: deps.config.accountId,
      time: new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
      region: deps.config.region,
      resources: [s.arn],
      detail,
    },
    now,
  );
}

/** "AppRunner Service Status Change", when the status changes at all. */
export function appendServiceStatusChange(deps: BusDeps, s: ServiceIdentity, previous: string, current: string): void {
  if (previous === current) return;
  const { message, severity } = serviceStatusEvent(current);
  appendServiceEvent(deps, s, "AppRunner Service Status Change", {
    PreviousStatus: previous,
    CurrentStatus: current,
    ServiceName: s.name,
    ServiceId: s.id,
    Message: message,
    Severity: severity,
  });
}
