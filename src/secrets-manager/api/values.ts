import { AppRunnerError } from "../../errors/app-runner-error.js";
import { uuid } from "../../util/random.js";
import { requireLiveSecret, requireSecret } from "../lookup.js";
import { labelsOf, readValue } from "../read.js";
import { AWSCURRENT } from "../stages.js";
import { addVersion, repeatedVersion } from "../versions.js";
import { asDecryptionFailure, requireKeys, valueOf } from "../vault.js";
import { callerOf, hereOf, seconds, type SecretsHandler } from "./env.js";
import { pageOf } from "./paging.js";

interface GetSecretValueInput {
  SecretId?: string;
  VersionId?: string;
  VersionStage?: string;
}

const getSecretValue: SecretsHandler = (raw, ctx, env) => {
  const input = raw as GetSecretValueInput;
  const now = ctx.clock.now();
  const keys = requireKeys(env.keys);
  const secret = requireLiveSecret(env.secrets, hereOf(ctx), input.SecretId, now);
  let read;
  try {
    read = readValue(env.secrets, keys, callerOf(ctx, now), secret, { versionId: input.VersionId, versionStage: input.VersionStage }, now);
  } catch (err) {
    throw asDecryptionFailure(err);
  }
  const { version, value } = read;
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.versionId,
    ...(value.type === "SecretString" ? { SecretString: value.bytes.toString("utf8") } : { SecretBinary: value.bytes.toString("base64") }),
    VersionStages: labelsOf(env.secrets.stages(secret.arn), version.versionId),
    CreatedDate: seconds(version.createdAt),
  };
};

interface PutSecretValueInput {
  SecretId?: string;
  ClientRequestToken?: string;
  SecretString?: string;
  SecretBinary?: string;
  VersionStages?: string[];
}

const putSecretValue: SecretsHandler = (raw, ctx, env) => {
  const input = raw as PutSecretValueInput;
  const value = valueOf(input);
  if (!value) throw new AppRunnerError("InvalidParameter", "You must provide either SecretString or SecretBinary.");
  const keys = requireKeys(env.keys);
  const now = ctx.clock.now();
  const caller = callerOf(ctx, now);
  return ctx.store.tx(() => {
    const secret = requireLiveSecret(env.secrets, hereOf(ctx), input.SecretId, now);
    const next = { versionId: input.ClientRequestToken ?? uuid(ctx.random), value, stages: input.VersionStages ?? [AWSCURRENT] };
    const repeated = repeatedVersion(env.secrets, keys, caller, secret, next);
    if (!repeated) {
      addVersion(env.secrets, keys, caller, secret, secret.kmsKeyId, next, now);
      env.secrets.update(secret.arn, { changedAt: now });
    }
    return { ARN: secret.arn, Name: secret.name, VersionId: next.versionId, VersionStages: labelsOf(env.secrets.stages(secret.arn), next.versionId) };
  });
};

interface ListSecretVersionIdsInput {
  SecretId?: string;
  MaxResults?: number;
  NextToken?: string;
  IncludeDeprecated?: boolean;
}

const listSecretVersionIds: SecretsHandler = (raw, ctx, env) => {
  const input = raw as ListSecretVersionIdsInput;
  const secret = requireSecret(env.secrets, hereOf(ctx), input.SecretId, ctx.clock.now());
  const stages = env.secrets.stages(secret.arn);
  const versions = env.secrets.versions(secret.arn).filter((v) => input.IncludeDeprecated === true || labelsOf(stages, v.versionId).length > 0);
  const page = pageOf(versions, input.NextToken, input.MaxResults);
  return {
    Versions: page.items.map((v) => ({
      VersionId: v.versionId,
      VersionStages: labelsOf(stages, v.versionId),
      LastAccessedDate: seconds(v.lastAccessedAt),
      CreatedDate: seconds(v.createdAt),
      // AWS names the managed key this way in version listings.
      KmsKeyIds: [v.customerKey ? v.kmsKeyArn : "DefaultEncryptionKey"],
    })),
    ARN: secret.arn,
    Name: secret.name,
    ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
  };
};

export const valueOperations: Record<string, SecretsHandler> = {
  GetSecretValue: getSecretValue,
  PutSecretValue: putSecretValue,
  ListSecretVersionIds: listSecretVersionIds,
};
