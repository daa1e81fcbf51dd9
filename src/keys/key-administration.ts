import type { CallFacts } from "../iam/authorization.js";
import type { Principal } from "../iam/principal.js";
import type { Tag } from "../store/tags.js";
import type { EncryptionContext, KeyService, KeyView } from "./key-service.js";
import type { KeyChange } from "./key-states.js";

/** A key as KMS's DescribeKey tells it. */
export interface KeyRecord extends KeyView {
  accountId: string;
  description: string;
  keyUsage: string;
  keySpec: string;
  createdAt: number;
  /** PendingDeletion only. */
  deletionDate?: number;
  pendingWindowDays?: number;
}

export interface AliasView {
  /** `alias/<name>`. */
  name: string;
  arn: string;
  targetKeyId: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * Everything KMS's own API does with keys, beyond what other services use (KeyService): the
 * composition root builds one (`createKeyService`) and hands it to the KMS module as
 * ModuleDeps.keys.
 */
export interface KeyAdministration extends KeyService {
  createKey(input: { description: string; policy?: string; tags?: readonly Tag[] }): KeyRecord;
  /** A key by any reference (key id, ARN, alias name or ARN); managed aliases are made on first use. */
  record(keyRef: string): KeyRecord;
  list(): KeyRecord[];
  /** Every alias, or those of one key. */
  aliases(keyRef?: string): AliasView[];
  createAlias(name: string, keyRef: string): void;
  updateAlias(name: string, keyRef: string): void;
  deleteAlias(name: string): void;
  /** The alias's target key ARN (KMS authorizes alias changes on the key too). */
  aliasTarget(name: string): string;
  change(keyRef: string, change: KeyChange, pendingWindowDays?: number): KeyRecord;
  keyPolicy(keyRef: string): string;
  putKeyPolicy(keyRef: string, policy: string): void;
  /** The ARN of the key a ciphertext blob names (InvalidCiphertextException for anything else). */
  keyArnOfCiphertext(blob: Buffer): string;
  /** Decrypts under the blob's key and encrypts under `destinationKeyRef`, the plaintext never leaving. */
  reEncrypt(
    blob: Buffer,
    source: { context?: EncryptionContext; keyRef?: string },
    destination: { keyRef: string; context?: EncryptionContext },
  ): { sourceKeyArn: string; keyArn: string; ciphertextBlob: Buffer };
  /** KMS's authorization of a call on a key: the key policy with the caller's identity policies; AccessDenied otherwise. */
  assertAccess(principal: Principal, keyArn: string, action: string, call: CallFacts): void;
  /** Deletes for good the keys whose deletion date has passed; their ARNs. */
  deleteDueKeys(): string[];
}

/** The KMS module's check that the key service it was given can administer keys. */
export function isKeyAdministration(keys: KeyService | undefined): keys is KeyAdministration {
  return keys !== undefined && "createKey" in keys && "assertAccess" in keys;
}
