import type { ScalableService } from "../autoscaler/autoscaler.js";
import { idlePeriodOf, type IdleBounds } from "../domain/scale-to-zero.js";
import type { ServiceDoc, ServiceInternal } from "../domain/service-record.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../util/clock.js";

const REFRESH_MS = 1000;

/**
 * serviceId -> its scale-to-zero idle period (ms) from its tag, read from the store at most once
 * a second: the autoscaler asks every second, and a TagResource takes effect within one.
 */
export function idlePeriods(store: Store, clock: Clock, bounds: IdleBounds): (serviceId: string) => number | undefined {
  let byId = new Map<string, number>();
  let readAt = -Infinity;
  return (serviceId) => {
    const now = clock.now();
    if (now - readAt >= REFRESH_MS || now < readAt) {
      byId = new Map();
      for (const s of store.resources.list<ServiceDoc, ServiceInternal>({ kind: "service" })) {
        if (s.deletedAt || !s.doc.ServiceId) continue;
        const idleMs = idlePeriodOf(store.tags.list(s.arn), bounds);
        if (idleMs !== undefined) byId.set(s.doc.ServiceId, idleMs);
      }
      readAt = now;
    }
    return byId.get(serviceId);
  };
}

/** The autoscaler's view of services with each one's idle period added. */
export function withIdlePeriods(services: readonly ScalableService[], idleOf: (serviceId: string) => number | undefined): ScalableService[] {
  return services.map((s) => {
    const idleMs = idleOf(s.serviceId);
    return idleMs === undefined ? s : { ...s, idleMs };
  });
}
