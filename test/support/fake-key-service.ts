import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import { AppRunnerError } from "../../src/errors/app-runner-error.js";
import type { Authorizer, CallFacts } from "../../src/iam/authorization.js";
import type { Principal } from "../../src/iam/principal.js";
import type { DataKey, EncryptionContext, KeyService, KeyState, KeyUseAction, KeyView, ManagedKeyAlias } from "../../src/keys/key-service.js";

interface FakeKey {
  view: KeyView;
  material: Buffer;
}

const aad = (context: EncryptionContext | undefined): Buffer =>
  Buffer.from(JSON.stringify(Object.keys(context ?? {}).sort().map((k) => [k, context?.[k]])), "utf8");

/**
 * A KeyService for tests of the services that encrypt with KMS (Secrets Manager), before and
 * beside the real one: AES-256-GCM under an in-memory key per key id, aliases, states, the
 * encryption context bound as AAD, and authorizeUse through an IAM authorizer when one is set
 * (root always allowed). Only for tests: its key material lives in this process's memory.
 */
export class FakeKeyService implements KeyService {
  private readonly keys = new Map<string, FakeKey>();
  private readonly aliases = new Map<string, string>();
  /** The identity policies KMS would evaluate (the default key policy delegates to them); unset: everyone allowed. */
  authorizer: Authorizer | undefined;
  /** What authorizeUse was asked, in order (action and key ARN). */
  readonly uses: string[] = [];

  constructor(
    readonly region = "us-east-1",
    readonly accountId = "123456789012",
  ) {}

  /** A customer managed key, with an alias when given (`alias/<name>`). */
  createKey(alias?: string): KeyView {
    const view = this.add("CUSTOMER");
    if (alias !== undefined) this.aliases.set(alias, view.keyId);
    return view;
  }

  setState(keyRef: string, state: KeyState): void {
    const key = this.resolve(keyRef);
    key.view = { ...key.view, state, enabled: state === "Enabled" };
  }

  describe(keyRef: string): KeyView {
    return this.resolve(keyRef).view;
  }

  managedKey(alias: ManagedKeyAlias): KeyView {
    const name = `alias/${alias}`;
    const existing = this.aliases.get(name);
    if (existing !== undefined) return this.resolve(existing).view;
    const view = this.add("AWS");
    this.aliases.set(name, view.keyId);
    return view;
  }

  assertUsable(keyRef: string): KeyView {
    return this.usable(this.resolve(keyRef)).view;
  }

  encrypt(keyRef: string, plaintext: Buffer, context?: EncryptionContext): { keyArn: string; ciphertextBlob: Buffer } {
    const key = this.usable(this.resolve(keyRef));
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key.material, iv);
    cipher.setAAD(aad(context));
    const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const blob = { k: key.view.keyId, iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), d: data.toString("base64") };
    return { keyArn: key.view.arn, ciphertextBlob: Buffer.from(JSON.stringify(blob)) };
  }

  decrypt(ciphertextBlob: Buffer, context?: EncryptionContext, keyRef?: string): { keyArn: string; plaintext: Buffer } {
    let blob: { k: string; iv: string; tag: string; d: string };
    try {
      blob = JSON.parse(ciphertextBlob.toString("utf8")) as typeof blob;
    } catch (err) {
      throw new AppRunnerError("KmsInvalidCiphertext", "The ciphertext is not one of this KMS's.", { cause: err });
    }
    const key = this.usable(this.resolve(blob.k));
    if (keyRef !== undefined && this.resolve(keyRef) !== key) throw new AppRunnerError("KmsIncorrectKey", "The key ID in the request does not identify the key that encrypted the ciphertext.");
    try {
      const decipher = createDecipheriv("aes-256-gcm", key.material, Buffer.from(blob.iv, "base64"));
      decipher.setAAD(aad(context));
      decipher.setAuthTag(Buffer.from(blob.tag, "base64"));
      return { keyArn: key.view.arn, plaintext: Buffer.concat([decipher.update(Buffer.from(blob.d, "base64")), decipher.final()]) };
    } catch (err) {
      throw new AppRunnerError("KmsInvalidCiphertext", "The ciphertext does not open with this key and encryption context.", { cause: err });
    }
  }

  generateDataKey(keyRef: string, context?: EncryptionContext, bytes = 32): DataKey {
    const plaintext = randomBytes(bytes);
    const { keyArn, ciphertextBlob } = this.encrypt(keyRef, plaintext, context);
    return { keyArn, plaintext, ciphertextBlob };
  }

  authorizeUse(principal: Principal, keyArn: string, action: KeyUseAction, call: CallFacts): void {
    this.uses.push(`${action} ${keyArn}`);
    this.authorizer?.authorize(principal, [{ action, resource: keyArn }], call);
  }

  private add(manager: "AWS" | "CUSTOMER"): KeyView {
    const keyId = randomUUID();
    const view: KeyView = { keyId, arn: `arn:aws:kms:${this.region}:${this.accountId}:key/${keyId}`, state: "Enabled", manager, enabled: true };
    this.keys.set(keyId, { view, material: randomBytes(32) });
    return view;
  }

  private resolve(keyRef: string): FakeKey {
    const aliasName = keyRef.startsWith("arn:") && keyRef.includes(":alias/") ? keyRef.slice(keyRef.indexOf(":alias/") + 1) : keyRef;
    if (aliasName.startsWith("alias/")) {
      if (aliasName.startsWith("alias/aws/")) return this.resolve(this.managedKey(aliasName.slice("alias/".length) as ManagedKeyAlias).keyId);
      const target = this.aliases.get(aliasName);
      if (target === undefined) throw new AppRunnerError("KmsNotFound", `Alias ${keyRef} is not found.`);
      return this.resolve(target);
    }
    const keyId = keyRef.startsWith("arn:") ? keyRef.slice(keyRef.lastIndexOf("/") + 1) : keyRef;
    const key = this.keys.get(keyId);
    if (!key) throw new AppRunnerError("KmsNotFound", `Key '${keyRef}' does not exist`);
    return key;
  }

  private usable(key: FakeKey): FakeKey {
    if (key.view.state === "Disabled") throw new AppRunnerError("KmsDisabled", `${key.view.arn} is disabled.`);
    if (key.view.state === "PendingDeletion") throw new AppRunnerError("KmsInvalidState", `${key.view.arn} is pending deletion.`);
    return key;
  }
}
