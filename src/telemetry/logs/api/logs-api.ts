import type { AwsJsonApi } from "../../../api/service-registry.js";
import type { LogStore } from "../store/log-store.js";
import { catalogOperations } from "./catalog-operations.js";
import { eventOperations } from "./event-operations.js";
import { DEFAULT_FILTER_LIMITS, filterOperations, type FilterLimits } from "./filter-log-events.js";

/**
 * CloudWatch Logs 2014-03-28 on the shared endpoint: AWS JSON 1.1, X-Amz-Target prefix
 * Logs_20140328, SigV4 signing name `logs`. No model is shipped: handlers validate by hand.
 */
export function logsApi(store: LogStore, limits: FilterLimits = DEFAULT_FILTER_LIMITS): AwsJsonApi {
  return {
    targetPrefix: "Logs_20140328",
    signingName: "logs",
    jsonVersion: "1.1",
    operations: {
      ...catalogOperations(store),
      ...eventOperations(store),
      ...filterOperations(store, limits),
    },
  };
}
