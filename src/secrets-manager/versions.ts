import { AppRunnerError } from "../errors/app-runner-error.js";
import type { KeyService } from "../keys/key-service.js";
import type { SecretRow, SecretStore } from "../store/secrets/secret-store.js";
import { moveStages, versionsToDrop } from "./stages.js";
import { asDecryptionFailure, asEncryptionFailure, openValue, sameValue, sealValue, type Caller, type SecretValue } from "./vault.js";

/** Versions a secret keeps before its unlabeled (deprecated) ones are removed, oldest first. */
export const MAX_VERSIONS = 100;

export const VERSION_EXISTS = "You can't modify an existing version, you can only create a new version.";

export interface NewVersion {
  versionId: string;
  value: SecretValue;
  stages: readonly string[];
}

/**
 * A ClientRequestToken already used on the secret: the same value is the same request again
 * (answered as before, nothing written); another value is ResourceExistsException, as AWS
 * refuses to change a version. Undefined when the version id is new.
 */
export function repeatedVersion(store: SecretStore, keys: KeyService, caller: Caller, secret: SecretRow, next: NewVersion): { versionId: string } | undefined {
  const existing = store.version(secret.arn, next.versionId);
  if (!existing) return undefined;
  let old: SecretValue;
  try {
    old = openValue(keys, caller, secret.arn, existing);
  } catch (err) {
    throw asDecryptionFailure(err);
  }
  try {
    if (!sameValue(old, next.value)) throw new AppRunnerError("SecretsResourceExists", VERSION_EXISTS);
  } finally {
    old.bytes.fill(0);
  }
  return { versionId: existing.versionId };
}

/**
 * Seals the value under the secret's key and adds the version with its labels (AWSCURRENT
 * moving makes the old current AWSPREVIOUS); deprecated versions beyond MAX_VERSIONS go.
 * The value is sealed before the transaction: KMS may make the managed key on first use.
 */
export function addVersion(store: SecretStore, keys: KeyService, caller: Caller, secret: SecretRow, kmsKeyId: string | undefined, next: NewVersion, now: number): void {
  let sealed;
  try {
    sealed = sealValue(keys, caller, kmsKeyId, secret.arn, next.versionId, next.value);
  } catch (err) {
    throw asEncryptionFailure(err);
  }
  const stages = moveStages(store.stages(secret.arn), next.versionId, next.stages);
  store.insertVersion(secret.arn, { versionId: next.versionId, valueType: next.value.type, ...sealed, createdAt: now });
  store.setStages(secret.arn, stages);
  const newestFirst = store.versions(secret.arn).map((v) => v.versionId);
  for (const versionId of versionsToDrop(newestFirst, stages, MAX_VERSIONS)) store.removeVersion(secret.arn, versionId);
}
