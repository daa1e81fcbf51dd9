import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { Tag } from "../../store/tags.js";
import { uuid } from "../../util/random.js";
import { deletionDateOf, isScheduledForDeletion } from "../deletion.js";
import { MARKED_FOR_DELETION, requireLiveSecret, requireSecret, SECRET_NOT_FOUND } from "../lookup.js";
import { randomSuffix, secretArn } from "../names.js";
import { AWSCURRENT, stagesByVersion } from "../stages.js";
import { addVersion, repeatedVersion } from "../versions.js";
import { asEncryptionFailure, keyOf, requireKeys, storedKeyId, valueOf } from "../vault.js";
import { callerOf, hereOf, secretMetadata, seconds, type SecretsHandler } from "./env.js";
import { checkTags } from "./tags.js";
import { reencryptLabeled } from "./reencrypt.js";

interface CreateSecretInput {
  Name: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
  SecretString?: string;
  SecretBinary?: string;
  Tags?: Partial<Tag>[];
}

const createSecret: SecretsHandler = (raw, ctx, env) => {
  const input = raw as unknown as CreateSecretInput;
  const value = valueOf(input);
  const tags = checkTags(input.Tags ?? []);
  const keys = requireKeys(env.keys);
  const now = ctx.clock.now();
  const caller = callerOf(ctx, now);
  const kmsKeyId = storedKeyId(input.KmsKeyId);
  return ctx.store.tx(() => {
    const existing = env.secrets.byName(input.Name);
    if (existing && existing.deletionDate !== undefined && existing.deletionDate <= now) {
      // Past its window, not yet purged: the name is free.
      env.secrets.remove(existing.arn);
      ctx.store.tags.removeAll(existing.arn);
    } else if (existing) {
      if (isScheduledForDeletion(existing, now)) {
        throw new AppRunnerError("InvalidRequest", "You can't create this secret because a secret with this name is already scheduled for deletion.");
      }
      const repeated = value && input.ClientRequestToken !== undefined ? repeatedVersion(env.secrets, keys, caller, existing, { versionId: input.ClientRequestToken, value, stages: [] }) : undefined;
      if (repeated) return { ARN: existing.arn, Name: existing.name, VersionId: repeated.versionId };
      throw new AppRunnerError("SecretsResourceExists", `The operation failed because the secret ${input.Name} already exists.`);
    }
    try {
      keyOf(keys, kmsKeyId);
    } catch (err) {
      throw asEncryptionFailure(err);
    }
    const arn = secretArn(ctx.config.region, ctx.config.accountId, input.Name, randomSuffix(ctx.random));
    env.secrets.insert({ arn, name: input.Name, description: input.Description, kmsKeyId, createdAt: now });
    if (tags.length > 0) ctx.store.tags.put(arn, tags);
    const secret = { arn, name: input.Name, description: input.Description, kmsKeyId, createdAt: now, lastChangedAt: now, lastAccessedAt: undefined, deletedAt: undefined, deletionDate: undefined };
    if (!value) return { ARN: arn, Name: input.Name };
    const versionId = input.ClientRequestToken ?? uuid(ctx.random);
    addVersion(env.secrets, keys, caller, secret, kmsKeyId, { versionId, value, stages: [AWSCURRENT] }, now);
    return { ARN: arn, Name: input.Name, VersionId: versionId };
  });
};

interface UpdateSecretInput {
  SecretId: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
  SecretString?: string;
  SecretBinary?: string;
}

const updateSecret: SecretsHandler = (raw, ctx, env) => {
  const input = raw as unknown as UpdateSecretInput;
  const value = valueOf(input);
  const now = ctx.clock.now();
  const caller = callerOf(ctx, now);
  return ctx.store.tx(() => {
    const secret = requireLiveSecret(env.secrets, hereOf(ctx), input.SecretId, now);
    const keyChanged = input.KmsKeyId !== undefined && storedKeyId(input.KmsKeyId) !== secret.kmsKeyId;
    const kmsKeyId = input.KmsKeyId !== undefined ? storedKeyId(input.KmsKeyId) : secret.kmsKeyId;
    if (keyChanged || value) {
      try {
        keyOf(requireKeys(env.keys), kmsKeyId);
      } catch (err) {
        throw asEncryptionFailure(err);
      }
    }
    let versionId: string | undefined;
    if (value) {
      const keys = requireKeys(env.keys);
      const next = { versionId: input.ClientRequestToken ?? uuid(ctx.random), value, stages: [AWSCURRENT] };
      const repeated = repeatedVersion(env.secrets, keys, caller, secret, next);
      if (!repeated) addVersion(env.secrets, keys, caller, secret, kmsKeyId, next, now);
      versionId = next.versionId;
    }
    env.secrets.update(secret.arn, { description: input.Description, kmsKeyId: keyChanged ? kmsKeyId ?? null : undefined, changedAt: now });
    if (keyChanged) reencryptLabeled(env, requireKeys(env.keys), caller, { ...secret, kmsKeyId }, versionId);
    return { ARN: secret.arn, Name: secret.name, ...(versionId !== undefined ? { VersionId: versionId } : {}) };
  });
};

const describeSecret: SecretsHandler = (raw, ctx, env) => {
  const input = raw as { SecretId?: string };
  const secret = requireSecret(env.secrets, hereOf(ctx), input.SecretId, ctx.clock.now());
  const tags = ctx.store.tags.list(secret.arn);
  const stages = stagesByVersion(env.secrets.stages(secret.arn));
  return { ...secretMetadata(secret, tags), ...(Object.keys(stages).length > 0 ? { VersionIdsToStages: stages } : {}) };
};

interface DeleteSecretInput {
  SecretId?: string;
  RecoveryWindowInDays?: number;
  ForceDeleteWithoutRecovery?: boolean;
}

const deleteSecret: SecretsHandler = (raw, ctx, env) => {
  const input = raw as DeleteSecretInput;
  const now = ctx.clock.now();
  const deletionDate = deletionDateOf(now, input);
  const force = input.ForceDeleteWithoutRecovery === true;
  return ctx.store.tx(() => {
    const found = input.SecretId === undefined ? undefined : secretOrNone(() => requireSecret(env.secrets, hereOf(ctx), input.SecretId, now));
    if (force) {
      // Forcing the deletion of a secret that is not there is not an error (AWS documents it).
      if (found) {
        env.secrets.remove(found.arn);
        ctx.store.tags.removeAll(found.arn);
      }
      return { ARN: found?.arn, Name: found?.name ?? input.SecretId, DeletionDate: seconds(now) };
    }
    if (!found) throw new AppRunnerError("ResourceNotFound", SECRET_NOT_FOUND);
    if (isScheduledForDeletion(found, now)) throw new AppRunnerError("InvalidRequest", MARKED_FOR_DELETION);
    env.secrets.setDeletion(found.arn, now, deletionDate, now);
    return { ARN: found.arn, Name: found.name, DeletionDate: seconds(deletionDate) };
  });
};

function secretOrNone<T>(find: () => T): T | undefined {
  try {
    return find();
  } catch (err) {
    if (err instanceof AppRunnerError && err.code === "ResourceNotFound") return undefined;
    throw err;
  }
}

const restoreSecret: SecretsHandler = (raw, ctx, env) => {
  const input = raw as { SecretId?: string };
  const now = ctx.clock.now();
  return ctx.store.tx(() => {
    const secret = requireSecret(env.secrets, hereOf(ctx), input.SecretId, now);
    if (secret.deletionDate !== undefined) env.secrets.setDeletion(secret.arn, undefined, undefined, now);
    return { ARN: secret.arn, Name: secret.name };
  });
};

/** Resource policies are not kept: every secret answers without one. */
const getResourcePolicy: SecretsHandler = (raw, ctx, env) => {
  const input = raw as { SecretId?: string };
  const secret = requireSecret(env.secrets, hereOf(ctx), input.SecretId, ctx.clock.now());
  return { ARN: secret.arn, Name: secret.name };
};

export const secretOperations: Record<string, SecretsHandler> = {
  CreateSecret: createSecret,
  UpdateSecret: updateSecret,
  DescribeSecret: describeSecret,
  DeleteSecret: deleteSecret,
  RestoreSecret: restoreSecret,
  GetResourcePolicy: getResourcePolicy,
};
