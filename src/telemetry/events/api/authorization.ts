import type { AuthorizationRequest } from "../../../iam/authorization.js";
import { passRole, requestTagConditions, stringAt } from "../../../iam/request-conditions.js";
import type { AwsJsonApi } from "../../../protocol/service-registry.js";

const EVENTS_SERVICE_PRINCIPAL = "events.amazonaws.com";
/** Operations on one rule, and the member naming it. */
const RULE_MEMBER: Record<string, string> = {
  DeleteRule: "Name",
  DescribeRule: "Name",
  DisableRule: "Name",
  EnableRule: "Name",
  PutRule: "Name",
  ListTargetsByRule: "Rule",
  PutTargets: "Rule",
  RemoveTargets: "Rule",
};

/**
 * EventBridge in IAM's words: `events:<Operation>` on the rule's ARN
 * (`arn:aws:events:<region>:<account>:rule/<name>` on the default bus, `rule/<bus>/<name>` on
 * another), on the bus's ARN for DescribeEventBus and PutEvents (one request per bus its entries
 * name), "*" for the List* and TestEventPattern; PutRule's tags as aws:RequestTag/aws:TagKeys,
 * and iam:PassRole (to events.amazonaws.com) for a RoleArn a rule or target is given.
 */
export function eventsAuthorization(region: string): NonNullable<AwsJsonApi["authorization"]> {
  return {
    actionPrefix: "events",
    requestsOf(operation, input, principal): AuthorizationRequest[] {
      const action = `events:${operation}`;
      const prefix = `arn:aws:events:${region}:${principal.accountId}`;
      const busName = (nameOrArn: string | undefined): string => (nameOrArn?.startsWith("arn:") ? nameOrArn.slice(nameOrArn.lastIndexOf("/") + 1) : (nameOrArn ?? "default"));
      const busArn = (nameOrArn: string | undefined): string => (nameOrArn?.startsWith("arn:") ? nameOrArn : `${prefix}:event-bus/${nameOrArn ?? "default"}`);
      if (Object.hasOwn(RULE_MEMBER, operation)) {
        const name = stringAt(input, RULE_MEMBER[operation] ?? "Name") ?? "";
        const bus = busName(stringAt(input, "EventBusName"));
        const resource = `${prefix}:rule/${bus === "default" ? "" : `${bus}/`}${name}`;
        const conditions = operation === "PutRule" ? requestTagConditions(input.Tags) : {};
        const main: AuthorizationRequest = Object.keys(conditions).length === 0 ? { action, resource } : { action, resource, conditions };
        return [main, ...rolesOf(operation, input).map((r) => passRole(r, EVENTS_SERVICE_PRINCIPAL))];
      }
      if (operation === "DescribeEventBus") return [{ action, resource: busArn(stringAt(input, "Name")) }];
      if (operation === "PutEvents") {
        const entries = Array.isArray(input.Entries) ? input.Entries : [];
        const buses = new Set(entries.map((e) => busArn(stringAt(e, "EventBusName"))));
        if (buses.size === 0) buses.add(busArn(undefined));
        return [...buses].map((resource) => ({ action, resource }));
      }
      return [{ action, resource: "*" }];
    },
  };
}

function rolesOf(operation: string, input: Record<string, unknown>): string[] {
  const roles: (string | undefined)[] = [];
  if (operation === "PutRule") roles.push(stringAt(input, "RoleArn"));
  if (operation === "PutTargets" && Array.isArray(input.Targets)) for (const t of input.Targets) roles.push(stringAt(t, "RoleArn"));
  return [...new Set(roles.filter((r): r is string => r !== undefined))];
}
