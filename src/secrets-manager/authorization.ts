import type { AuthorizationRequest } from "../iam/authorization.js";
import { requestTagConditions, stringAt, tagKeysCondition } from "../iam/request-conditions.js";
import type { AwsJsonApi } from "../protocol/service-registry.js";
import { secretLookupOf, unknownSuffixArn } from "./names.js";

/**
 * Secrets Manager in IAM's words: `secretsmanager:<Operation>` on the secret's ARN (a SecretId
 * given as a name or partial ARN is resolved to it), "*" for ListSecrets; CreateSecret on the
 * ARN to be (its suffix unknown yet: `name-??????`, which `name-*` and `name-??????` policies
 * match); tags as aws:RequestTag/aws:TagKeys.
 */
export function secretsManagerAuthorization(region: string, arnOf: (secretId: string) => string | undefined): NonNullable<AwsJsonApi["authorization"]> {
  return {
    actionPrefix: "secretsmanager",
    requestsOf(operation, input, principal): AuthorizationRequest[] {
      const action = `secretsmanager:${operation}`;
      const withConditions = (resource: string, conditions: Record<string, string | readonly string[]>): AuthorizationRequest =>
        Object.keys(conditions).length === 0 ? { action, resource } : { action, resource, conditions };
      if (operation === "ListSecrets") return [{ action, resource: "*" }];
      if (operation === "CreateSecret") {
        const name = stringAt(input, "Name");
        return [withConditions(name === undefined ? "*" : unknownSuffixArn(region, principal.accountId, name), requestTagConditions(input.Tags))];
      }
      const secretId = stringAt(input, "SecretId");
      const resource = secretId === undefined ? "*" : resourceOf(region, principal.accountId, secretId, arnOf);
      if (operation === "TagResource") return [withConditions(resource, requestTagConditions(input.Tags))];
      if (operation === "UntagResource") return [withConditions(resource, tagKeysCondition(input.TagKeys))];
      return [{ action, resource }];
    },
  };
}

/** The secret's ARN; for one that does not exist, the ARN as given or the name's partial ARN (so only broad grants reach "not found"). */
export function resourceOf(region: string, accountId: string, secretId: string, arnOf: (secretId: string) => string | undefined): string {
  const known = arnOf(secretId);
  if (known !== undefined) return known;
  const lookup = secretLookupOf(secretId, { region, accountId });
  return lookup.kind === "name" ? `arn:aws:secretsmanager:${region}:${accountId}:secret:${secretId}` : secretId;
}
