import type { AuthorizationRequest } from "../../../iam/authorization.js";
import { requestTagConditions, stringAt } from "../../../iam/request-conditions.js";
import type { AwsJsonApi } from "../../../protocol/service-registry.js";

/** Operations that act on one stream: IAM names the stream's ARN (`…:log-group:<g>:log-stream:<s>`). */
const STREAM_OPERATIONS = new Set(["PutLogEvents", "GetLogEvents", "DeleteLogStream"]);

/**
 * CloudWatch Logs in IAM's words: `logs:<Operation>` on the log group's ARN
 * `arn:aws:logs:<region>:<account>:log-group:<name>:*` (a stream's own ARN for the calls on one
 * stream), "*" for DescribeLogGroups; CreateLogGroup's tags as aws:RequestTag/aws:TagKeys.
 * A `logGroupIdentifier` may already be an ARN (with or without the trailing `:*`).
 */
export function logsAuthorization(region: string): NonNullable<AwsJsonApi["authorization"]> {
  return {
    actionPrefix: "logs",
    requestsOf(operation, input, principal): AuthorizationRequest[] {
      const action = `logs:${operation}`;
      const identifier = stringAt(input, "logGroupIdentifier") ?? stringAt(input, "logGroupName");
      if (identifier === undefined) return [{ action, resource: "*" }];
      const group = identifier.startsWith("arn:") ? identifier.replace(/:\*$/, "") : `arn:aws:logs:${region}:${principal.accountId}:log-group:${identifier}`;
      const stream = stringAt(input, "logStreamName");
      const resource = STREAM_OPERATIONS.has(operation) && stream !== undefined ? `${group}:log-stream:${stream}` : `${group}:*`;
      const conditions = operation === "CreateLogGroup" ? requestTagConditions(input.tags) : {};
      return [Object.keys(conditions).length === 0 ? { action, resource } : { action, resource, conditions }];
    },
  };
}
