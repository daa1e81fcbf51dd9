import type { ApiDeps } from "../../../domain/api-context.js";
import type { AwsJsonApi } from "../../../protocol/service-registry.js";
import { logsModel } from "../../../model/model.js";
import type { LogStore } from "../store/log-store.js";
import { catalogOperations } from "./catalog-operations.js";
import { eventOperations, PUT_LOG_EVENTS_MAX_BODY_BYTES } from "./event-operations.js";
import { DEFAULT_FILTER_LIMITS, filterOperations, type FilterLimits } from "./filter-log-events.js";
import { FollowChains } from "./follow-chain.js";

export interface LogsApiOptions {
  limits?: FilterLimits;
  /** FilterLogEvents' follow chains (`aws logs tail --follow`); the module keeps it to observe them. */
  follow?: FollowChains;
}

/**
 * CloudWatch Logs 2014-03-28 on the shared endpoint: AWS JSON 1.1, X-Amz-Target prefix
 * Logs_20140328, SigV4 signing name `logs`. JSON types are checked against botocore's model
 * before a handler runs; handlers check constraints by hand, in CloudWatch Logs' words.
 */
export function logsApi(store: LogStore, opts: LogsApiOptions = {}): AwsJsonApi<ApiDeps> {
  return {
    targetPrefix: "Logs_20140328",
    signingName: "logs",
    jsonVersion: "1.1",
    model: logsModel,
    modelChecks: "types",
    trailRedaction: "names",
    maxBodyBytes: { operations: { PutLogEvents: PUT_LOG_EVENTS_MAX_BODY_BYTES } },
    operations: {
      ...catalogOperations(store),
      ...eventOperations(store),
      ...filterOperations(store, opts.limits ?? DEFAULT_FILTER_LIMITS, opts.follow ?? new FollowChains()),
    },
  };
}
