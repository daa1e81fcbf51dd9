import type { AuthorizationRequest, Authorizer } from "../iam/authorization.js";
import type { KeyAdministration } from "../keys/key-administration.js";
import { stringAt } from "../iam/request-conditions.js";
import type { AwsJsonApi } from "../protocol/service-registry.js";

/** Operations on no key: IAM policies alone decide, on "*". */
const ACCOUNT_OPERATIONS: ReadonlySet<string> = new Set(["CreateKey", "ListKeys", "ListAliases"]);

const isKeyArn = (resource: string): boolean => /^arn:aws:kms:[^:]*:\d{12}:key\//.test(resource);

/**
 * KMS in IAM's words: `kms:<Operation>` on the key's ARN (whatever reference the call gave: key
 * id, alias, ARN; Decrypt's key is the one its ciphertext names), kms:ReEncryptFrom and
 * kms:ReEncryptTo for ReEncrypt's two keys, an alias change on the alias's ARN and on its keys;
 * CreateKey, ListKeys and ListAliases on "*". A request on a key is decided as KMS decides it:
 * the key policy together with the caller's identity policies (keys/key-policy.ts); anything
 * else by the identity policies alone.
 */
export function kmsAuthorization(keys: KeyAdministration, authorizer: Authorizer, region: string): NonNullable<AwsJsonApi["authorization"]> {
  return {
    actionPrefix: "kms",
    requestsOf(operation, input, principal): AuthorizationRequest[] {
      const action = `kms:${operation}`;
      if (ACCOUNT_OPERATIONS.has(operation)) return [{ action, resource: "*" }];
      const keyArn = (ref: string | undefined): string => (ref === undefined ? "*" : keys.describe(ref).arn);
      const aliasArn = (name: string | undefined): string => (name === undefined ? "*" : `arn:aws:kms:${region}:${principal.accountId}:${name}`);
      switch (operation) {
        case "Decrypt": {
          const blob = stringAt(input, "CiphertextBlob");
          return [{ action, resource: blob === undefined ? "*" : keys.keyArnOfCiphertext(Buffer.from(blob, "base64")) }];
        }
        case "ReEncrypt": {
          const blob = stringAt(input, "CiphertextBlob");
          return [
            { action: "kms:ReEncryptFrom", resource: blob === undefined ? "*" : keys.keyArnOfCiphertext(Buffer.from(blob, "base64")) },
            { action: "kms:ReEncryptTo", resource: keyArn(stringAt(input, "DestinationKeyId")) },
          ];
        }
        case "CreateAlias":
          return [
            { action, resource: aliasArn(stringAt(input, "AliasName")) },
            { action, resource: keyArn(stringAt(input, "TargetKeyId")) },
          ];
        case "UpdateAlias":
        case "DeleteAlias": {
          const name = stringAt(input, "AliasName");
          const current = name === undefined ? [] : aliasTargets(keys, name);
          const target = operation === "UpdateAlias" ? [keyArn(stringAt(input, "TargetKeyId"))] : [];
          return [{ action, resource: aliasArn(name) }, ...[...current, ...target].map((resource) => ({ action, resource }))];
        }
        default:
          return [{ action, resource: keyArn(stringAt(input, "KeyId")) }];
      }
    },
    authorize(principal, requests, call) {
      for (const request of requests) {
        if (isKeyArn(request.resource)) keys.assertAccess(principal, request.resource, request.action, call);
        else authorizer.authorize(principal, [request], call);
      }
    },
  };
}

/** The key an alias points at, if the alias exists (a missing one is the operation's own NotFoundException). */
function aliasTargets(keys: KeyAdministration, name: string): string[] {
  return keys.aliases().some((a) => a.name === name) ? [keys.aliasTarget(name)] : [];
}
