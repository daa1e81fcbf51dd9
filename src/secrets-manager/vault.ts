import { AppRunnerError } from "../errors/app-runner-error.js";
import type { CallFacts } from "../iam/authorization.js";
import type { Principal } from "../iam/principal.js";
import { openEnvelope, sealEnvelope, type Envelope } from "../keys/envelope.js";
import type { KeyService, KeyView } from "../keys/key-service.js";
import type { SecretValueType, SecretVersionRow } from "../store/secrets/secret-store.js";

/*
 * A secret version's value as Secrets Manager keeps it: sealed in an envelope under the
 * secret's KMS key (a customer managed key, or the AWS managed `aws/secretsmanager` made on
 * first use), with the encryption context {SecretARN, SecretVersionId}, so a blob copied to
 * another secret or version does not open. A customer managed key also asks the caller's own
 * KMS permission, as AWS does: kms:GenerateDataKey to write, kms:Decrypt to read.
 */

export const MANAGED_ALIAS = "aws/secretsmanager";

/** Who asks, for KMS's own authorization of a customer managed key. */
export interface Caller {
  principal: Principal;
  call: CallFacts;
}

/** A value in the clear, only ever in memory. */
export interface SecretValue {
  type: SecretValueType;
  bytes: Buffer;
}

export const sameValue = (a: SecretValue, b: SecretValue): boolean => a.type === b.type && a.bytes.equals(b.bytes);

/** The KMS key a request names as the one Secrets Manager stores: undefined for the AWS managed key (omitted, empty, or its alias). */
export function storedKeyId(kmsKeyId: string | undefined): string | undefined {
  if (kmsKeyId === undefined || kmsKeyId === "" || kmsKeyId === `alias/${MANAGED_ALIAS}`) return undefined;
  return kmsKeyId;
}

export function requireKeys(keys: KeyService | undefined): KeyService {
  if (!keys) throw new AppRunnerError("SecretsEncryptionFailure", "Secrets Manager can't encrypt the secret: this OpenRunner has no KMS.");
  return keys;
}

/** The key behind a secret's stored KmsKeyId: the customer's (which must exist), or the AWS managed one. */
export function keyOf(keys: KeyService, kmsKeyId: string | undefined): KeyView {
  return kmsKeyId === undefined ? keys.managedKey(MANAGED_ALIAS) : keys.describe(kmsKeyId);
}

export interface Sealed {
  envelope: string;
  kmsKeyArn: string;
  customerKey: boolean;
}

export const encryptionContext = (secretArn: string, versionId: string): Record<string, string> => ({ SecretARN: secretArn, SecretVersionId: versionId });

export function sealValue(keys: KeyService, caller: Caller, kmsKeyId: string | undefined, secretArn: string, versionId: string, value: SecretValue): Sealed {
  const key = keyOf(keys, kmsKeyId);
  const customerKey = key.manager === "CUSTOMER";
  if (customerKey) keys.authorizeUse(caller.principal, key.arn, "kms:GenerateDataKey", caller.call);
  const envelope = sealEnvelope(keys, key.arn, value.bytes, encryptionContext(secretArn, versionId));
  return { envelope: JSON.stringify(envelope), kmsKeyArn: envelope.keyArn, customerKey };
}

export function openValue(keys: KeyService, caller: Caller, secretArn: string, version: SecretVersionRow): SecretValue {
  if (version.customerKey) keys.authorizeUse(caller.principal, version.kmsKeyArn, "kms:Decrypt", caller.call);
  const envelope = JSON.parse(version.envelope) as Envelope;
  return { type: version.valueType, bytes: openEnvelope(keys, envelope, encryptionContext(secretArn, version.versionId)) };
}

const isKmsFailure = (err: unknown): err is AppRunnerError => err instanceof AppRunnerError && err.code.startsWith("Kms");

/** KMS's refusal while writing a value, as Secrets Manager answers it (EncryptionFailure, with KMS's reason). */
export function asEncryptionFailure(err: unknown): unknown {
  if (!isKmsFailure(err)) return err;
  return new AppRunnerError("SecretsEncryptionFailure", `Secrets Manager can't encrypt the protected secret text using the provided KMS key: ${err.message}`, { cause: err });
}

/** KMS's refusal while reading a value, as Secrets Manager answers it (DecryptionFailure, with KMS's reason). */
export function asDecryptionFailure(err: unknown): unknown {
  if (!isKmsFailure(err)) return err;
  return new AppRunnerError("SecretsDecryptionFailure", `Secrets Manager can't decrypt the protected secret text using the provided KMS key: ${err.message}`, { cause: err });
}

/** The value a request carries: SecretString or SecretBinary (base64 on the wire), never both. */
export function valueOf(input: { SecretString?: string; SecretBinary?: string }): SecretValue | undefined {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw new AppRunnerError("InvalidParameter", "You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (input.SecretString !== undefined) return { type: "SecretString", bytes: Buffer.from(input.SecretString, "utf8") };
  if (input.SecretBinary !== undefined) return { type: "SecretBinary", bytes: Buffer.from(input.SecretBinary, "base64") };
  return undefined;
}
