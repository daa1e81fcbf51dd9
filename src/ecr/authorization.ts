import type { AuthorizationRequest } from "../iam/authorization.js";
import { requestTagConditions, stringAt, tagKeysCondition } from "../iam/request-conditions.js";
import type { AwsJsonApi } from "../protocol/service-registry.js";

/**
 * Amazon ECR in IAM's words: `ecr:<Operation>` on the repository's ARN
 * `arn:aws:ecr:<region>:<account>:repository/<name>` (the registry id, when given, is the
 * account), one request per repository DescribeRepositories names, "*" for
 * GetAuthorizationToken and an unfiltered DescribeRepositories, the tagged resource's ARN for
 * the tag operations; CreateRepository's and TagResource's tags as aws:RequestTag/aws:TagKeys.
 */
export function ecrAuthorization(region: string): NonNullable<AwsJsonApi["authorization"]> {
  return {
    actionPrefix: "ecr",
    requestsOf(operation, input, principal): AuthorizationRequest[] {
      const action = `ecr:${operation}`;
      const account = stringAt(input, "registryId") ?? principal.accountId;
      const repository = (name: string): string => `arn:aws:ecr:${region}:${account}:repository/${name}`;
      const withConditions = (resource: string, conditions: Record<string, string | readonly string[]>): AuthorizationRequest =>
        Object.keys(conditions).length === 0 ? { action, resource } : { action, resource, conditions };
      switch (operation) {
        case "GetAuthorizationToken":
          return [{ action, resource: "*" }];
        case "DescribeRepositories": {
          const names = Array.isArray(input.repositoryNames) ? input.repositoryNames.filter((n): n is string => typeof n === "string") : [];
          return names.length === 0 ? [{ action, resource: "*" }] : names.map((n) => ({ action, resource: repository(n) }));
        }
        case "ListTagsForResource":
          return [{ action, resource: stringAt(input, "resourceArn") ?? "*" }];
        case "TagResource":
          return [withConditions(stringAt(input, "resourceArn") ?? "*", requestTagConditions(input.tags))];
        case "UntagResource":
          return [withConditions(stringAt(input, "resourceArn") ?? "*", tagKeysCondition(input.tagKeys))];
        default: {
          const name = stringAt(input, "repositoryName");
          const resource = name === undefined ? "*" : repository(name);
          return [withConditions(resource, operation === "CreateRepository" ? requestTagConditions(input.tags) : {})];
        }
      }
    },
  };
}
