import type { KeyService } from "../keys/key-service.js";
import type { SecretRow, SecretStore, SecretVersionRow } from "../store/secrets/secret-store.js";
import { dayOf } from "./deletion.js";
import { selectVersion } from "./lookup.js";
import { openValue, type Caller, type SecretValue } from "./vault.js";

/**
 * One version's value, opened for `caller` (GetSecretValue, or a deployment's instance role):
 * the access is noted on the secret and the version, by the day, as AWS reports it. KMS's
 * refusals are thrown as KMS's errors; each caller words them its own way.
 */
export function readValue(
  store: SecretStore,
  keys: KeyService,
  caller: Caller,
  secret: SecretRow,
  ask: { versionId?: string; versionStage?: string },
  now: number,
): { version: SecretVersionRow; value: SecretValue } {
  const version = selectVersion(store, secret, ask);
  const value = openValue(keys, caller, secret.arn, version);
  // Noted by the day: only the first read of a day writes (two UPDATEs a read were most of a read's store work).
  const day = dayOf(now);
  if (secret.lastAccessedAt !== day || version.lastAccessedAt !== day) store.noteAccess(secret.arn, version.versionId, day);
  return { version, value };
}

/** The labels on one version, in label order. */
export const labelsOf = (stages: ReadonlyMap<string, string>, versionId: string): string[] =>
  [...stages].filter(([, v]) => v === versionId).map(([label]) => label).sort();
