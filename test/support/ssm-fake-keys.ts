import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import { AppRunnerError } from "../../src/errors/app-runner-error.js";
import type { Principal } from "../../src/iam/principal.js";
import type { DataKey, EncryptionContext, KeyService, KeyState, KeyView, ManagedKeyAlias } from "../../src/keys/key-service.js";

interface FakeKey {
  view: KeyView;
  material: Buffer;
}

/**
 * A KeyService for Parameter Store's tests while KMS is built beside it: keys in memory,
 * AES-256-GCM with the encryption context as authenticated data, blobs that name their key.
 * `deny` lists the principals (by ARN) whose kms:* use of a customer managed key is refused.
 */
export class SsmFakeKeys implements KeyService {
  private readonly keys = new Map<string, FakeKey>();
  private readonly aliases = new Map<string, string>();
  readonly deny = new Set<string>();
  /** Every authorizeUse asked, as `<principal arn> <action> <key arn>`. */
  readonly uses: string[] = [];

  constructor(
    private readonly region = "us-east-1",
    private readonly accountId = "123456789012",
  ) {}

  createKey(alias?: string): KeyView {
    return this.make("CUSTOMER", alias);
  }

  setState(keyRef: string, state: KeyState): void {
    const key = this.find(keyRef);
    key.view = { ...key.view, state, enabled: state === "Enabled" };
  }

  describe(keyRef: string): KeyView {
    const managed = /^(?:alias\/|arn:aws:kms:[^:]+:[^:]+:alias\/)(aws\/(?:secretsmanager|ssm|apprunner))$/.exec(keyRef)?.[1] as ManagedKeyAlias | undefined;
    if (managed) return this.managedKey(managed);
    return this.find(keyRef).view;
  }

  managedKey(alias: ManagedKeyAlias): KeyView {
    const id = this.aliases.get(alias);
    return id ? this.find(id).view : this.make("AWS", alias);
  }

  assertUsable(keyRef: string): KeyView {
    const view = this.describe(keyRef);
    if (view.state === "Disabled") throw new AppRunnerError("KmsDisabled", `${view.arn} is disabled.`);
    if (view.state === "PendingDeletion") throw new AppRunnerError("KmsInvalidState", `${view.arn} is pending deletion.`);
    return view;
  }

  encrypt(keyRef: string, plaintext: Buffer, context: EncryptionContext = {}): { keyArn: string; ciphertextBlob: Buffer } {
    const view = this.assertUsable(keyRef);
    const key = this.find(view.keyId);
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key.material, iv);
    cipher.setAAD(aad(context));
    const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { keyArn: view.arn, ciphertextBlob: Buffer.concat([Buffer.from(view.keyId, "ascii"), iv, cipher.getAuthTag(), data]) };
  }

  decrypt(ciphertextBlob: Buffer, context: EncryptionContext = {}, keyRef?: string): { keyArn: string; plaintext: Buffer } {
    const keyId = ciphertextBlob.subarray(0, 36).toString("ascii");
    const view = this.assertUsable(keyId);
    if (keyRef !== undefined && this.describe(keyRef).keyId !== keyId) throw new AppRunnerError("KmsIncorrectKey", "The key is not the one the ciphertext was made under.");
    const decipher = createDecipheriv("aes-256-gcm", this.find(keyId).material, ciphertextBlob.subarray(36, 48));
    decipher.setAAD(aad(context));
    decipher.setAuthTag(ciphertextBlob.subarray(48, 64));
    try {
      return { keyArn: view.arn, plaintext: Buffer.concat([decipher.update(ciphertextBlob.subarray(64)), decipher.final()]) };
    } catch (err) {
      throw new AppRunnerError("KmsInvalidCiphertext", "The ciphertext does not open.", { cause: err });
    }
  }

  generateDataKey(keyRef: string, context?: EncryptionContext, bytes = 32): DataKey {
    const plaintext = randomBytes(bytes);
    const { keyArn, ciphertextBlob } = this.encrypt(keyRef, plaintext, context);
    return { keyArn, plaintext, ciphertextBlob };
  }

  authorizeUse(principal: Principal, keyArn: string, action: string): void {
    this.uses.push(`${principal.arn} ${action} ${keyArn}`);
    if (this.deny.has(principal.arn)) {
      throw new AppRunnerError("AccessDenied", `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${keyArn} because no identity-based policy allows the ${action} action`);
    }
  }

  private make(manager: "AWS" | "CUSTOMER", alias?: string): KeyView {
    const keyId = randomUUID();
    const view: KeyView = { keyId, arn: `arn:aws:kms:${this.region}:${this.accountId}:key/${keyId}`, state: "Enabled", manager, enabled: true };
    this.keys.set(keyId, { view, material: randomBytes(32) });
    if (alias) this.aliases.set(alias, keyId);
    return view;
  }

  private find(keyRef: string): FakeKey {
    const alias = /^(?:alias\/|arn:aws:kms:[^:]+:[^:]+:alias\/)(.+)$/.exec(keyRef)?.[1];
    const id = alias !== undefined ? this.aliases.get(alias) : /([0-9a-f-]{36})$/.exec(keyRef)?.[1];
    const key = id === undefined ? undefined : this.keys.get(id);
    if (!key) throw new AppRunnerError("KmsNotFound", `Key '${keyRef}' does not exist`);
    return key;
  }
}

const aad = (context: EncryptionContext): Buffer => Buffer.from(JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]])), "utf8");
