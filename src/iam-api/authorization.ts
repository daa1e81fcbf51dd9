import type { AuthorizationRequest } from "../iam/authorization.js";
import type { Principal } from "../iam/principal.js";
import { requestTagConditions, tagKeysCondition } from "../iam/request-conditions.js";
import type { EntityKind } from "../store/iam/entities.js";
import type { Store } from "../store/store.js";
import { customerPolicyArn, entityArn } from "./names.js";
import { SERVICE_LINKED_ROLE_NAME, SERVICE_LINKED_ROLE_PATH } from "./service-linked-role.js";

/*
 * How IAM authorizes its own calls: `iam:<Operation>` on the ARN of the user, group, role,
 * instance profile or policy the call names (with its path, as stored), "*" for listings of
 * the account. A call about "my own" user (GetUser, access keys without UserName) is on the
 * caller's ARN, so attaching a policy to yourself needs iam:AttachUserPolicy on your own ARN.
 */

type Conditions = Record<string, string | readonly string[]>;

const ENTITY_NAME_MEMBER: [member: string, kind: EntityKind][] = [
  // In this order: AddRoleToInstanceProfile is on the profile, AddUserToGroup on the group.
  ["InstanceProfileName", "instance-profile"],
  ["GroupName", "group"],
  ["RoleName", "role"],
  ["UserName", "user"],
];

/** Calls where UserName, when omitted, means the caller's own user. */
const OWN_USER_DEFAULT = new Set(["GetUser", "CreateAccessKey", "ListAccessKeys", "UpdateAccessKey", "DeleteAccessKey"]);

export function iamAuthorization(store: Store, accountId: string) {
  /** The ARN of an entity named in the call: as stored when it exists, else as it would be made (Path of a Create*). */
  const entityResource = (kind: EntityKind, name: string, path: string | undefined, conditions: Conditions): string => {
    const row = store.iam.entities.byName(kind, name);
    if (!row) return entityArn(accountId, kind, path ?? "/", name);
    for (const t of store.iam.entities.tags(row.id)) {
      conditions[`aws:resourcetag/${t.Key.toLowerCase()}`] = t.Value;
      conditions[`iam:resourcetag/${t.Key.toLowerCase()}`] = t.Value;
    }
    return row.arn;
  };

  const resourceOf = (operation: string, input: Record<string, unknown>, principal: Principal, conditions: Conditions): string => {
    const path = operation.startsWith("Create") ? (input.Path as string | undefined) : undefined;
    if (operation === "CreateServiceLinkedRole") {
      conditions["iam:awsservicename"] = String(input.AWSServiceName ?? "");
      return entityArn(accountId, "role", SERVICE_LINKED_ROLE_PATH, SERVICE_LINKED_ROLE_NAME);
    }
    if (operation === "CreatePolicy") return customerPolicyArn(accountId, path ?? "/", String(input.PolicyName));
    if (typeof input.PolicyArn === "string" && !/^(Attach|Detach)/.test(operation)) return input.PolicyArn;
    if (operation === "GetAccessKeyLastUsed" && typeof input.AccessKeyId === "string") {
      const owner = store.accessKeys.info(input.AccessKeyId)?.ownerId;
      return (owner ? store.iam.entities.byId(owner)?.arn : undefined) ?? principal.arn;
    }
    for (const [member, kind] of ENTITY_NAME_MEMBER) {
      const name = input[member];
      if (typeof name === "string") return entityResource(kind, name, path, conditions);
    }
    return OWN_USER_DEFAULT.has(operation) ? principal.arn : "*";
  };

  return {
    actionPrefix: "iam",
    requestsOf(operation: string, input: Record<string, unknown>, principal: Principal): readonly AuthorizationRequest[] {
      const conditions: Conditions = {};
      const resource = resourceOf(operation, input, principal, conditions);
      Object.assign(conditions, requestTagConditions(input.Tags), tagKeysCondition(input.TagKeys));
      if (typeof input.PolicyArn === "string" && /^(Attach|Detach)/.test(operation)) conditions["iam:policyarn"] = input.PolicyArn;
      const requests: AuthorizationRequest[] = [{ action: `iam:${operation}`, resource, conditions }];
      // Putting a role in an instance profile hands it to whatever runs with the profile.
      if (operation === "AddRoleToInstanceProfile" && typeof input.RoleName === "string") {
        requests.push({ action: "iam:PassRole", resource: entityResource("role", input.RoleName, undefined, {}) });
      }
      return requests;
    },
  };
}
