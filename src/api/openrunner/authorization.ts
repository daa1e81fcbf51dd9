import type { AuthorizationRequest } from "../../iam/authorization.js";
import { stringAt } from "../../iam/request-conditions.js";
import type { AwsJsonApi } from "../../protocol/service-registry.js";

/**
 * OpenRunner's own operations in IAM's words: App Runner has no such actions, so they take
 * App Runner's prefix and their own names, on the resource they act on:
 * `apprunner:CompleteConnectionHandshake` on the connection's ARN and
 * `apprunner:ListServiceInstances`, `apprunner:ListServiceDeployments` and
 * `apprunner:RollbackService` (and `apprunner:DescribeRollout`) on the service's ARN. A policy granting `apprunner:*`
 * (AWSAppRunnerFullAccess) covers them; AWSAppRunnerReadOnlyAccess (`apprunner:List*`) lists
 * instances and deployments but cannot roll back.
 */
const TARGET: Record<string, string> = {
  CompleteConnectionHandshake: "ConnectionArn",
  ListServiceInstances: "ServiceArn",
  ListServiceDeployments: "ServiceArn",
  RollbackService: "ServiceArn",
  DescribeRollout: "ServiceArn",
};

export function openRunnerRequestsOf(operation: string, input: Record<string, unknown>): AuthorizationRequest[] {
  const member = Object.hasOwn(TARGET, operation) ? TARGET[operation] : undefined;
  return [{ action: `apprunner:${operation}`, resource: (member === undefined ? undefined : stringAt(input, member)) ?? "*" }];
}

export const openRunnerAuthorization: NonNullable<AwsJsonApi["authorization"]> = {
  actionPrefix: "apprunner",
  requestsOf: (operation, input) => openRunnerRequestsOf(operation, input),
};
