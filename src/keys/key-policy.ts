import { AppRunnerError } from "../errors/app-runner-error.js";
import type { Authorizer, CallFacts } from "../iam/authorization.js";
import { principalFacts, RequestContext } from "../iam/condition-context.js";
import { parsePolicy } from "../iam/policy/engine.js";
import type { CompiledPolicy } from "../iam/policy/types.js";
import type { Principal } from "../iam/principal.js";
import { resourceAccessDeniedMessage, resourcePolicyDecision } from "../iam/resource-policy.js";
import type { ManagedKeyAlias } from "./key-service.js";

/** KMS's default key policy: the account's root gets kms:*, which delegates the key to the account's IAM policies. */
export function defaultKeyPolicy(accountId: string): string {
  return JSON.stringify(
    {
      Version: "2012-10-17",
      Id: "key-default-1",
      Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: "kms:*", Resource: "*" }],
    },
    null,
    2,
  );
}

const SERVICE_OF: Record<ManagedKeyAlias, string> = { "aws/secretsmanager": "secretsmanager", "aws/ssm": "ssm", "aws/apprunner": "apprunner" };

/**
 * An AWS managed key's policy, as AWS writes it: every principal of the account may use the key
 * through its service only (kms:ViaService), and may read the key's description directly.
 */
export function managedKeyPolicy(alias: ManagedKeyAlias, accountId: string, region: string): string {
  return JSON.stringify(
    {
      Version: "2012-10-17",
      Id: `auto-${SERVICE_OF[alias]}-1`,
      Statement: [
        {
          Sid: `Allow access through ${SERVICE_OF[alias]} for all principals in the account that are authorized to use ${SERVICE_OF[alias]}`,
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
          Resource: "*",
          Condition: { StringEquals: { "kms:ViaService": `${SERVICE_OF[alias]}.${region}.amazonaws.com`, "kms:CallerAccount": accountId } },
        },
        {
          Sid: "Allow direct access to key metadata to the account",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${accountId}:root` },
          Action: ["kms:Describe*", "kms:Get*", "kms:List*"],
          Resource: "*",
        },
      ],
    },
    null,
    2,
  );
}

export const managedKeyDescription = (alias: ManagedKeyAlias): string =>
  ({
    "aws/secretsmanager": "Default key that protects my Secrets Manager data when no other key is defined",
    "aws/ssm": "Default key that protects my SSM parameters when no other key is defined",
    "aws/apprunner": "Default key that protects my App Runner service configuration when no other key is defined",
  })[alias];

/** A key policy checked as KMS checks PutKeyPolicy's: MalformedPolicyDocumentException otherwise. */
export function compileKeyPolicy(text: string): CompiledPolicy {
  return parsePolicy(text, "resource");
}

export interface KeyAccessQuery {
  principal: Principal;
  keyArn: string;
  action: string;
  call: CallFacts;
  policy: CompiledPolicy;
  authorizer: Authorizer;
  region: string;
  /** kms:ViaService and the like, lower-cased: what a service calling KMS for its caller adds. */
  conditions?: Readonly<Record<string, string>>;
  /** aws:ResourceTag/* of the key. */
  resourceTags: (arn: string) => Readonly<Record<string, string>> | undefined;
}

/** Throws KMS's AccessDeniedException unless the key policy and the caller's identity policies together allow `action`. */
export function assertKeyAccess(q: KeyAccessQuery): void {
  const request = { action: q.action, resource: q.keyArn, conditions: { "kms:calleraccount": q.principal.accountId, ...q.conditions } };
  const context = new RequestContext(q.principal, principalFacts(q.principal, {}), q.call, q.region, q.resourceTags);
  context.request = request;
  const verdict = resourcePolicyDecision({
    policy: q.policy,
    action: q.action,
    resource: q.keyArn,
    caller: q.principal,
    context,
    identity: () => q.authorizer.decide(q.principal, request, q.call),
  });
  if (verdict.decision !== "Allow") throw new AppRunnerError("AccessDenied", resourceAccessDeniedMessage(q.principal, q.action, q.keyArn, verdict));
}
