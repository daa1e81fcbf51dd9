import { join } from "node:path";
import { servesOperation } from "../../protocol/service-registry.js";
import type { ControlPlaneModule, ModuleDeps } from "../../modules.js";
import { cloudWatchJsonApi, cloudWatchOperations } from "./api/cloudwatch-api.js";
import { PrometheusState } from "./prometheus/state.js";
import { prometheusRoute } from "./prometheus/route.js";
import { cloudWatchQueryRoute } from "./query/route.js";
import { Recorder } from "./recording.js";
import { RetentionSweeper } from "./retention.js";
import { SecondRing } from "./second-ring.js";
import { MetricsStore } from "./store/metrics-store.js";
import type { MetricsRecorder, ServiceUsageRecorder } from "./recorder.js";

export interface MetricsModule extends ControlPlaneModule {
  /** Where the data plane reports requests, and the runtime instance and service usage. */
  metricsRecorder: MetricsRecorder & ServiceUsageRecorder;
}

/** The metrics module among others, for the composition root: the data plane and runtime report to its recorder. */
export function isMetricsModule(m: ControlPlaneModule): m is MetricsModule {
  return "metricsRecorder" in m;
}

/**
 * App Runner's CloudWatch metrics (namespace AWS/AppRunner): a recorder the data plane feeds,
 * kept in `<data-dir>/metrics.db` for 15 days; CloudWatch's GetMetricStatistics, GetMetricData
 * and ListMetrics over AWS JSON 1.0 (SDKs) and awsQuery (the AWS CLI); and GET /metrics for
 * Prometheus.
 */
export function createMetricsModule(deps: ModuleDeps): MetricsModule {
  const store = MetricsStore.open(join(deps.dataDir, "metrics.db"));
  const prometheus = new PrometheusState();
  const recorder = new Recorder(store, new SecondRing(), prometheus);
  const ops = cloudWatchOperations(store, deps.clock);
  const api = cloudWatchJsonApi(ops);
  const sweeper = new RetentionSweeper(store, deps.clock, deps.logger);
  return {
    name: "metrics",
    apis: [api],
    routes: [prometheusRoute(prometheus, deps.clock), cloudWatchQueryRoute(ops, api, deps)],
    metricsRecorder: recorder,
    // Only operations an API serves get a label of their own: X-Amz-Target is the caller's to choose.
    onApiCall: (call) =>
      prometheus.onApiCall(call.api?.signingName ?? "unknown", servesOperation(call.api, call.operation) ? (call.operation ?? "unknown") : "unknown", call.errorCode ?? ""),
    start: () => sweeper.start(),
    async stop() {
      await sweeper.stop();
      store.close();
    },
  };
}
