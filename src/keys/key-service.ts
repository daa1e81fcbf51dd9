import type { Principal } from "../iam/principal.js";
import type { CallFacts } from "../iam/authorization.js";

/** KMS's key states, as DescribeKey reports them. */
export type KeyState = "Enabled" | "Disabled" | "PendingDeletion";

/** The aliases of the AWS managed keys OpenRunner's services make on first use, as AWS does. */
export type ManagedKeyAlias = "aws/secretsmanager" | "aws/ssm" | "aws/apprunner";

/** What the rest of the control plane reads of a key (KMS's DescribeKey has more). */
export interface KeyView {
  keyId: string;
  arn: string;
  state: KeyState;
  /** AWS managed (`aws/…` aliases, not deletable, key policy fixed) or the customer's own. */
  manager: "AWS" | "CUSTOMER";
  enabled: boolean;
}

/**
 * KMS's encryption context: bound to a ciphertext as authenticated data, so a blob decrypts only
 * with the same pairs (Secrets Manager binds `SecretARN`, Parameter Store `PARAMETER_ARN`).
 */
export type EncryptionContext = Readonly<Record<string, string>>;

/** A data key as GenerateDataKey returns it: the plaintext to use once, the blob to keep. */
export interface DataKey {
  keyArn: string;
  plaintext: Buffer;
  /** Opaque; names its key, so Decrypt needs no KeyId (as KMS's symmetric ciphertexts). */
  ciphertextBlob: Buffer;
}

/** The KMS actions a caller of another service may need on a key (checked with `authorizeUse`). */
export type KeyUseAction = "kms:Decrypt" | "kms:Encrypt" | "kms:GenerateDataKey" | "kms:DescribeKey" | "kms:CreateGrant" | "kms:ReEncrypt*";

/**
 * KMS's keys for the control plane's own use (the KMS API, Secrets Manager, Parameter Store, a
 * service's EncryptionConfiguration). Key material never leaves this interface: it is sealed under
 * the data directory's master key at rest. Every method is synchronous (the store is) and throws
 * AppRunnerError with KMS's codes: KmsNotFound for an unknown key or alias, KmsDisabled for a
 * disabled key, KmsInvalidState for one pending deletion, KmsInvalidCiphertext for a blob that
 * does not open (wrong context, tampered, another key's).
 */
export interface KeyService {
  /**
   * A key by key id, key ARN, `alias/<name>` or alias ARN, whatever its state. Resolving
   * `alias/aws/secretsmanager` (and the other managed aliases) makes that managed key on first use.
   */
  describe(keyRef: string): KeyView;
  /** The AWS managed key behind an alias, made on first use (its alias and key policy too). */
  managedKey(alias: ManagedKeyAlias): KeyView;
  /** Throws unless the key exists and is Enabled; returns it. What a deployment checks of a service's key. */
  assertUsable(keyRef: string): KeyView;
  encrypt(keyRef: string, plaintext: Buffer, context?: EncryptionContext): { keyArn: string; ciphertextBlob: Buffer };
  /** The key is read from the blob; `keyRef`, when given, must be that key (KmsIncorrectKey otherwise). */
  decrypt(ciphertextBlob: Buffer, context?: EncryptionContext, keyRef?: string): { keyArn: string; plaintext: Buffer };
  generateDataKey(keyRef: string, context?: EncryptionContext, bytes?: number): DataKey;
  /**
   * Whether `principal` may use the key for `action`, as KMS decides: the key policy (which by
   * default delegates to the account's IAM policies) and the principal's identity policies, an
   * explicit deny in either winning. Throws AccessDenied in KMS's words; root is allowed.
   * Secrets Manager and Parameter Store call it for the caller's kms:Decrypt / kms:GenerateDataKey
   * on a customer managed key (AWS managed keys allow every principal of the account through the service).
   */
  authorizeUse(principal: Principal, keyArn: string, action: KeyUseAction, call: CallFacts): void;
}
