import type { AppRunnerClient } from "@aws-sdk/client-apprunner";
import { callAwsJson, type AwsJsonTarget } from "./aws-json";

/**
 * Secrets Manager, Parameter Store and KMS on the console's endpoint (AWS JSON 1.1), read with
 * the shapes of botocore's models (timestamps in epoch seconds). Only names and metadata are
 * ever read: no GetSecretValue, no GetParameter(s), so no value reaches the browser after the
 * call that created it.
 */
const SECRETS: AwsJsonTarget = { signingName: "secretsmanager", targetPrefix: "secretsmanager", jsonVersion: "1.1" };
const SSM: AwsJsonTarget = { signingName: "ssm", targetPrefix: "AmazonSSM", jsonVersion: "1.1" };
const KMS: AwsJsonTarget = { signingName: "kms", targetPrefix: "TrentService", jsonVersion: "1.1" };

export interface SecretListEntry {
  arn: string;
  name: string;
  description?: string;
  kmsKeyId?: string;
  lastChangedDate?: Date;
  /** Set while the secret is scheduled for deletion (RestoreSecret brings it back). */
  deletedDate?: Date;
  tags: { key: string; value: string }[];
}

export interface ParameterMetadata {
  arn: string;
  name: string;
  type: string;
  version?: number;
  lastModifiedDate?: Date;
  keyId?: string;
  description?: string;
}

export interface KmsAlias {
  aliasName: string;
  aliasArn: string;
  targetKeyId?: string;
}

const MAX_PAGES = 50;
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const epoch = (v: unknown): Date | undefined => (typeof v === "number" ? new Date(v * 1000) : undefined);
const records = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null) : []);

async function allPages(apprunner: AppRunnerClient, target: AwsJsonTarget, operation: string, input: Record<string, unknown>, member: string, tokenIn = "NextToken", tokenOut = "NextToken"): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await callAwsJson(apprunner, target, operation, { ...input, ...(token ? { [tokenIn]: token } : {}) });
    out.push(...records(answer[member]));
    const next = str(answer[tokenOut]);
    if (!next || next === token) break;
    token = next;
  }
  return out;
}

/** Every secret, those scheduled for deletion included (the page offers to restore them), by name. */
export async function listSecrets(apprunner: AppRunnerClient): Promise<SecretListEntry[]> {
  const found = await allPages(apprunner, SECRETS, "ListSecrets", { IncludePlannedDeletion: true, MaxResults: 100 }, "SecretList");
  return found
    .map((s) => ({
      arn: str(s.ARN) ?? "",
      name: str(s.Name) ?? "",
      description: str(s.Description),
      kmsKeyId: str(s.KmsKeyId),
      lastChangedDate: epoch(s.LastChangedDate),
      deletedDate: epoch(s.DeletedDate),
      tags: records(s.Tags).map((t) => ({ key: str(t.Key) ?? "", value: str(t.Value) ?? "" })),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Every parameter's latest version, without its value, by name. */
export async function describeParameters(apprunner: AppRunnerClient): Promise<ParameterMetadata[]> {
  const found = await allPages(apprunner, SSM, "DescribeParameters", { MaxResults: 50 }, "Parameters");
  return found
    .map((p) => ({
      arn: str(p.ARN) ?? "",
      name: str(p.Name) ?? "",
      type: str(p.Type) ?? "",
      version: typeof p.Version === "number" ? p.Version : undefined,
      lastModifiedDate: epoch(p.LastModifiedDate),
      keyId: str(p.KeyId),
      description: str(p.Description),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The account's KMS aliases, for the key pickers (AWS managed ones included once made). */
export async function listAliases(apprunner: AppRunnerClient): Promise<KmsAlias[]> {
  const found = await allPages(apprunner, KMS, "ListAliases", { Limit: 100 }, "Aliases", "Marker", "NextMarker");
  return found
    .map((a) => ({ aliasName: str(a.AliasName) ?? "", aliasArn: str(a.AliasArn) ?? "", targetKeyId: str(a.TargetKeyId) }))
    .sort((a, b) => a.aliasName.localeCompare(b.aliasName));
}

export interface NewSecret {
  name: string;
  secretString: string;
  description?: string;
  kmsKeyId?: string;
}

/** Creates a secret; the answer carries its ARN only (CreateSecret never echoes the value). */
export async function createSecret(apprunner: AppRunnerClient, s: NewSecret): Promise<string> {
  const answer = await callAwsJson(apprunner, SECRETS, "CreateSecret", {
    Name: s.name,
    SecretString: s.secretString,
    ...(s.description ? { Description: s.description } : {}),
    ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
  });
  return str(answer.ARN) ?? "";
}

/** Schedules the secret's deletion after `recoveryWindowInDays` (7 to 30), as Secrets Manager's console does. */
export async function deleteSecret(apprunner: AppRunnerClient, arn: string, recoveryWindowInDays: number): Promise<Date | undefined> {
  const answer = await callAwsJson(apprunner, SECRETS, "DeleteSecret", { SecretId: arn, RecoveryWindowInDays: recoveryWindowInDays });
  return epoch(answer.DeletionDate);
}

export async function restoreSecret(apprunner: AppRunnerClient, arn: string): Promise<void> {
  await callAwsJson(apprunner, SECRETS, "RestoreSecret", { SecretId: arn });
}

export interface NewParameter {
  name: string;
  value: string;
  type: "String" | "SecureString";
  description?: string;
  keyId?: string;
}

export async function putParameter(apprunner: AppRunnerClient, p: NewParameter): Promise<number | undefined> {
  const answer = await callAwsJson(apprunner, SSM, "PutParameter", {
    Name: p.name,
    Value: p.value,
    Type: p.type,
    ...(p.description ? { Description: p.description } : {}),
    ...(p.type === "SecureString" && p.keyId ? { KeyId: p.keyId } : {}),
  });
  return typeof answer.Version === "number" ? answer.Version : undefined;
}

export async function deleteParameter(apprunner: AppRunnerClient, name: string): Promise<void> {
  await callAwsJson(apprunner, SSM, "DeleteParameter", { Name: name });
}
