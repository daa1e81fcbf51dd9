import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import { AppRunnerError } from "../../src/errors/app-runner-error.js";
import type { DataKey, EncryptionContext, KeyService, KeyState, KeyUseAction, KeyView, ManagedKeyAlias } from "../../src/keys/key-service.js";
import type { Principal } from "../../src/iam/principal.js";

interface FakeKey {
  view: KeyView;
  material: Buffer;
  symmetric: boolean;
}

/**
 * A KeyService for unit tests of the parts that use KMS (not of KMS): keys in memory, AES-GCM
 * blobs naming their key, states set by the test, and the KMS calls counted. The real one is
 * src/keys' `createKeyService`.
 */
export class CountingKeyService implements KeyService {
  readonly keys = new Map<string, FakeKey>();
  readonly aliases = new Map<string, string>();
  readonly calls: string[] = [];
  /** Uses refused, as `${principal ARN} ${action} ${key ARN}`. */
  readonly denied = new Set<string>();

  /** The account and region new keys are made in (a test sets the server's once it runs). */
  constructor(
    public region = "us-east-1",
    public account = "123456789012",
  ) {}

  createKey(opts: { symmetric?: boolean; manager?: "AWS" | "CUSTOMER" } = {}): KeyView {
    const keyId = randomUUID();
    const view: KeyView = { keyId, arn: `arn:aws:kms:${this.region}:${this.account}:key/${keyId}`, state: "Enabled", manager: opts.manager ?? "CUSTOMER", enabled: true };
    this.keys.set(view.arn, { view, material: randomBytes(32), symmetric: opts.symmetric ?? true });
    return view;
  }

  setState(arn: string, state: KeyState | "Deleted"): void {
    if (state === "Deleted") {
      this.keys.delete(arn);
      return;
    }
    const key = this.mustGet(arn);
    key.view = { ...key.view, state, enabled: state === "Enabled" };
  }

  describe(keyRef: string): KeyView {
    this.calls.push(`DescribeKey ${keyRef}`);
    return { ...this.mustGet(keyRef).view };
  }

  managedKey(alias: ManagedKeyAlias): KeyView {
    this.calls.push(`managedKey ${alias}`);
    const arn = this.aliases.get(`alias/${alias}`);
    if (arn) return this.mustGet(arn).view;
    const view = this.createKey({ manager: "AWS" });
    this.aliases.set(`alias/${alias}`, view.arn);
    return view;
  }

  assertUsable(keyRef: string): KeyView {
    const key = this.mustGet(keyRef);
    if (key.view.state === "Disabled") throw new AppRunnerError("KmsDisabled", `${key.view.arn} is disabled.`);
    if (key.view.state === "PendingDeletion") throw new AppRunnerError("KmsInvalidState", `${key.view.arn} is pending deletion.`);
    return key.view;
  }

  encrypt(keyRef: string, plaintext: Buffer, context: EncryptionContext = {}): { keyArn: string; ciphertextBlob: Buffer } {
    this.calls.push(`Encrypt ${keyRef}`);
    const key = this.assertUsable(keyRef);
    const material = this.mustGet(key.arn);
    if (!material.symmetric) throw new AppRunnerError("KmsInvalidKeyUsage", `${key.arn} is not a symmetric key.`);
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", material.material, iv);
    cipher.setAAD(Buffer.from(JSON.stringify(Object.entries(context).sort())));
    const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const blob = Buffer.from(JSON.stringify({ k: key.arn, iv: iv.toString("base64"), t: cipher.getAuthTag().toString("base64"), d: data.toString("base64") }));
    return { keyArn: key.arn, ciphertextBlob: blob };
  }

  decrypt(ciphertextBlob: Buffer, context: EncryptionContext = {}, keyRef?: string): { keyArn: string; plaintext: Buffer } {
    this.calls.push("Decrypt");
    const parsed = JSON.parse(ciphertextBlob.toString("utf8")) as { k: string; iv: string; t: string; d: string };
    if (keyRef !== undefined && this.mustGet(keyRef).view.arn !== parsed.k) throw new AppRunnerError("KmsIncorrectKey", "wrong key");
    const key = this.assertUsable(parsed.k);
    const decipher = createDecipheriv("aes-256-gcm", this.mustGet(key.arn).material, Buffer.from(parsed.iv, "base64"));
    decipher.setAAD(Buffer.from(JSON.stringify(Object.entries(context).sort())));
    decipher.setAuthTag(Buffer.from(parsed.t, "base64"));
    try {
      return { keyArn: key.arn, plaintext: Buffer.concat([decipher.update(Buffer.from(parsed.d, "base64")), decipher.final()]) };
    } catch (err) {
      throw new AppRunnerError("KmsInvalidCiphertext", "does not open", { cause: err });
    }
  }

  generateDataKey(keyRef: string, context?: EncryptionContext, bytes = 32): DataKey {
    this.calls.push(`GenerateDataKey ${keyRef}`);
    const plaintext = randomBytes(bytes);
    const { keyArn, ciphertextBlob } = this.encrypt(keyRef, plaintext, context);
    this.calls.pop();
    return { keyArn, plaintext, ciphertextBlob };
  }

  authorizeUse(principal: Principal, keyArn: string, action: KeyUseAction): void {
    this.calls.push(`authorize ${action}`);
    if (this.denied.has(`${principal.arn} ${action} ${keyArn}`)) {
      throw new AppRunnerError("AccessDenied", `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${keyArn}`);
    }
  }

  private mustGet(keyRef: string): FakeKey {
    const arn = keyRef.startsWith("alias/") ? this.aliases.get(keyRef) : keyRef;
    const key = arn ? this.keys.get(arn) : undefined;
    if (!key) throw new AppRunnerError("KmsNotFound", `Key '${keyRef}' does not exist`);
    return key;
  }
}
