import type { AwsJsonApi } from "../../../protocol/service-registry.js";
import { cloudWatchModel } from "../../../model/model.js";
import type { Clock } from "../../../util/clock.js";
import type { MetricsStore } from "../store/metrics-store.js";
import { getMetricData } from "./get-metric-data.js";
import { getMetricStatistics } from "./get-metric-statistics.js";
import { listMetrics } from "./list-metrics.js";
import { GET_METRIC_DATA_OUTPUT, GET_METRIC_STATISTICS_OUTPUT, LIST_METRICS_OUTPUT, type StructureShape } from "./shapes.js";

/** One CloudWatch operation: input and output in JSON-protocol form, whichever protocol carried them. */
export type CloudWatchOperation = (input: Record<string, unknown>) => Record<string, unknown>;

export interface CloudWatchOperations {
  operations: Record<string, CloudWatchOperation>;
  /** Output shapes, for protocols (awsQuery) that need them to write a response. */
  outputs: Record<string, StructureShape>;
}

export function cloudWatchOperations(store: MetricsStore, clock: Clock): CloudWatchOperations {
  return {
    operations: {
      GetMetricStatistics: (input) => getMetricStatistics(store, input),
      GetMetricData: (input) => getMetricData(store, input),
      ListMetrics: (input) => listMetrics(store, clock, input),
    },
    outputs: {
      GetMetricStatistics: GET_METRIC_STATISTICS_OUTPUT,
      GetMetricData: GET_METRIC_DATA_OUTPUT,
      ListMetrics: LIST_METRICS_OUTPUT,
    },
  };
}

/**
 * CloudWatch over AWS JSON 1.0, as @aws-sdk/client-cloudwatch 3.x speaks it:
 * `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, `application/x-amz-json-1.0`,
 * signed for `monitoring`. The SDK marks it awsQueryCompatible; error names are the JSON ones.
 * JSON types are checked against botocore's model (SerializationException, as every AWS JSON
 * front door answers a value it cannot read); constraints by checkShape in CloudWatch's words.
 */
export function cloudWatchJsonApi(ops: CloudWatchOperations): AwsJsonApi<unknown> {
  return {
    targetPrefix: "GraniteServiceVersion20100801",
    signingName: "monitoring",
    jsonVersion: "1.0",
    model: cloudWatchModel,
    modelChecks: "types",
    trailRedaction: "names",
    // CloudWatch's documented limit for an HTTP POST request (either protocol).
    maxBodyBytes: { default: 1024 * 1024 },
    // IAM names CloudWatch `cloudwatch:<Operation>` (not its signing name, monitoring), on "*": metrics have no ARNs.
    authorization: { actionPrefix: "cloudwatch" },
    operations: Object.fromEntries(Object.entries(ops.operations).map(([name, op]) => [name, (input: Record<string, unknown>) => op(input)])),
  };
}
