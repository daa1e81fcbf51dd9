import { AppRunnerError } from "../errors/app-runner-error.js";
import type { SecretRow, SecretStore, SecretVersionRow } from "../store/secrets/secret-store.js";
import { isGone, isScheduledForDeletion } from "./deletion.js";
import { secretLookupOf } from "./names.js";
import { AWSCURRENT } from "./stages.js";

/** Secrets Manager's own words, which scripts match on. */
export const SECRET_NOT_FOUND = "Secrets Manager can't find the specified secret.";
export const MARKED_FOR_DELETION = "You can't perform this operation on the secret because it was marked for deletion.";

export interface Here {
  region: string;
  accountId: string;
}

/** The secret a SecretId names (complete ARN, partial ARN or name), unless it is past its recovery window. */
export function findSecret(store: SecretStore, here: Here, secretId: string, now: number): SecretRow | undefined {
  const lookup = secretLookupOf(secretId, here);
  if (lookup.kind === "elsewhere") return undefined;
  const found = (lookup.kind === "arn" ? store.byArn(lookup.arn) : undefined) ?? store.byName(lookup.name);
  return found && !isGone(found, now) ? found : undefined;
}

/** The secret, scheduled for deletion or not; ResourceNotFoundException otherwise. */
export function requireSecret(store: SecretStore, here: Here, secretId: string | undefined, now: number): SecretRow {
  const found = secretId === undefined ? undefined : findSecret(store, here, secretId, now);
  if (!found) throw new AppRunnerError("ResourceNotFound", SECRET_NOT_FOUND);
  return found;
}

/** The secret, not scheduled for deletion: what every call that reads or changes it needs. */
export function requireLiveSecret(store: SecretStore, here: Here, secretId: string | undefined, now: number): SecretRow {
  const secret = requireSecret(store, here, secretId, now);
  if (isScheduledForDeletion(secret, now)) throw new AppRunnerError("InvalidRequest", MARKED_FOR_DELETION);
  return secret;
}

/**
 * The version GetSecretValue asks for: by VersionId, by VersionStage, both (they must agree),
 * or AWSCURRENT.
 */
export function selectVersion(store: SecretStore, secret: SecretRow, ask: { versionId?: string; versionStage?: string }): SecretVersionRow {
  const stages = store.stages(secret.arn);
  const notFor = (what: string): AppRunnerError => new AppRunnerError("ResourceNotFound", `Secrets Manager can't find the specified secret value for ${what}`);
  if (ask.versionId !== undefined) {
    const version = store.version(secret.arn, ask.versionId);
    if (!version) throw notFor(`VersionId: ${ask.versionId}`);
    if (ask.versionStage !== undefined && stages.get(ask.versionStage) !== ask.versionId) throw notFor(`staging label: ${ask.versionStage}`);
    return version;
  }
  const stage = ask.versionStage ?? AWSCURRENT;
  const versionId = stages.get(stage);
  const version = versionId === undefined ? undefined : store.version(secret.arn, versionId);
  if (!version) throw notFor(`staging label: ${stage}`);
  return version;
}
