import type { ServiceDoc, ServiceInternal } from "../../domain/service-record.js";
import type { Store } from "../../store/store.js";
import type { ServiceRef } from "../../telemetry/metrics/catalog.js";
import type { Clock } from "../../util/clock.js";

const REFRESH_MS = 2000;

/**
 * serviceId -> name for metrics, read from the store at most every 2 s: the data plane asks for
 * every service each second, and a service's name never changes.
 */
export function serviceRefs(store: Store, clock: Clock): (serviceId: string) => ServiceRef | undefined {
  let byId = new Map<string, ServiceRef>();
  let readAt = -Infinity;
  return (serviceId) => {
    const now = clock.now();
    if (now - readAt > REFRESH_MS || (!byId.has(serviceId) && now - readAt > 100)) {
      byId = new Map();
      for (const s of store.resources.list<ServiceDoc, ServiceInternal>({ kind: "service" })) {
        if (s.deletedAt || !s.doc.ServiceId) continue;
        byId.set(s.doc.ServiceId, { serviceId: s.doc.ServiceId, serviceName: s.name });
      }
      readAt = now;
    }
    return byId.get(serviceId);
  };
}
