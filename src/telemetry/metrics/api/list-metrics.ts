import type { Clock } from "../../../util/clock.js";
import { DIMENSION_INSTANCE, DIMENSION_SERVICE_ID, DIMENSION_SERVICE_NAME, NAMESPACE } from "../catalog.js";
import type { MetricsStore } from "../store/metrics-store.js";
import { LIST_METRICS_INPUT } from "./shapes.js";
import { decodeToken, encodeToken, fingerprint } from "./tokens.js";
import { checkShape } from "./validate.js";

export interface ListMetricsInput {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: { Name: string; Value?: string }[];
  NextToken?: string;
  RecentlyActive?: "PT3H";
}

/** AWS returns up to 500 metrics per call. */
export const PAGE_SIZE = 500;
/** "ListMetrics doesn't return information about metrics if those metrics haven't reported data in the past two weeks." */
const LISTED_FOR_MINUTES = 14 * 24 * 60;
const RECENTLY_ACTIVE_MINUTES = 3 * 60;

export function listMetrics(store: MetricsStore, clock: Clock, raw: Record<string, unknown>): Record<string, unknown> {
  checkShape(raw, LIST_METRICS_INPUT, "");
  const input = raw as unknown as ListMetricsInput;
  const print = fingerprint([input.Namespace, input.MetricName, input.Dimensions, input.RecentlyActive]);
  const offset = decodeToken(input.NextToken, print);
  if (input.Namespace !== undefined && input.Namespace !== NAMESPACE) return { Metrics: [] };
  const nowMinute = Math.floor(clock.now() / 60_000);
  const since = nowMinute - (input.RecentlyActive === "PT3H" ? RECENTLY_ACTIVE_MINUTES : LISTED_FOR_MINUTES);
  const metrics = store
    .listMetrics(since)
    .filter((m) => input.MetricName === undefined || m.metric === input.MetricName)
    .map((m) => ({
      Namespace: NAMESPACE,
      MetricName: m.metric,
      Dimensions: [
        { Name: DIMENSION_SERVICE_NAME, Value: m.serviceName },
        { Name: DIMENSION_SERVICE_ID, Value: m.serviceId },
        ...(m.instance ? [{ Name: DIMENSION_INSTANCE, Value: m.instance }] : []),
      ],
    }))
    .filter((m) => (input.Dimensions ?? []).every((f) => m.Dimensions.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value))));
  const page = metrics.slice(offset, offset + PAGE_SIZE);
  const next = offset + PAGE_SIZE < metrics.length ? { NextToken: encodeToken(offset + PAGE_SIZE, print) } : {};
  return { Metrics: page, ...next };
}
