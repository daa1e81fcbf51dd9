import type { AuthorizationRequest } from "../iam/authorization.js";
import { requestTagConditions, stringAt, tagKeysCondition } from "../iam/request-conditions.js";
import type { AwsJsonApi } from "../protocol/service-registry.js";

/**
 * The parameter ARN IAM checks a call against, from whatever the caller sent (a name, a path, an
 * ARN, each maybe with `:version` or `:label`), before the handler has checked any of it:
 * `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`.
 */
export function parameterResourceOf(given: string, region: string, accountId: string): string {
  if (given.startsWith("arn:")) {
    const at = given.indexOf(":parameter/");
    if (at < 0) return given;
    const tail = given.slice(at + ":parameter/".length);
    const colon = tail.indexOf(":");
    return given.slice(0, at + ":parameter/".length) + (colon < 0 ? tail : tail.slice(0, colon));
  }
  const colon = given.indexOf(":");
  const name = colon < 0 ? given : given.slice(0, colon);
  return `arn:aws:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, "")}`;
}

/**
 * Parameter Store in IAM's words: `ssm:<Operation>` on the parameter's ARN (one request per name
 * for GetParameters and DeleteParameters, the path's ARN for GetParametersByPath), "*" for
 * DescribeParameters; tags as aws:RequestTag/aws:TagKeys.
 */
export function ssmAuthorization(region: string): NonNullable<AwsJsonApi["authorization"]> {
  return {
    actionPrefix: "ssm",
    requestsOf(operation, input, principal): AuthorizationRequest[] {
      const action = `ssm:${operation}`;
      const on = (given: string | undefined, conditions: Record<string, string | readonly string[]> = {}): AuthorizationRequest => {
        const resource = given === undefined ? "*" : parameterResourceOf(given, region, principal.accountId);
        return Object.keys(conditions).length === 0 ? { action, resource } : { action, resource, conditions };
      };
      switch (operation) {
        case "DescribeParameters":
          return [{ action, resource: "*" }];
        case "GetParameters":
        case "DeleteParameters": {
          const names = Array.isArray(input.Names) ? input.Names.filter((n): n is string => typeof n === "string") : [];
          return names.length === 0 ? [on(undefined)] : names.map((n) => on(n));
        }
        case "GetParametersByPath":
          return [on(stringAt(input, "Path"))];
        case "PutParameter":
          return [on(stringAt(input, "Name"), requestTagConditions(input.Tags))];
        case "AddTagsToResource":
          return [on(stringAt(input, "ResourceId"), requestTagConditions(input.Tags))];
        case "RemoveTagsFromResource":
          return [on(stringAt(input, "ResourceId"), tagKeysCondition(input.TagKeys))];
        case "ListTagsForResource":
          return [on(stringAt(input, "ResourceId"))];
        default:
          return [on(stringAt(input, "Name"))];
      }
    },
  };
}
