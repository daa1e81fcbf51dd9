import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { readOrCreateSecretFile } from "../util/secret-file.js";

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = "v1";

/** A secret sealed with AES-256-GCM, as stored in JSON: every part base64. */
export interface SealedSecret {
  v: typeof VERSION;
  iv: string;
  tag: string;
  data: string;
}

/**
 * Encrypts secrets (provider tokens) before they reach the store, so a copy of the database
 * alone reveals nothing. The key lives beside the database but in its own 0600 file, which an
 * operator can keep off backups of the database.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== KEY_BYTES) throw new Error(`a secret key is ${KEY_BYTES} bytes, got ${key.length}`);
    return new SecretBox(Buffer.from(key));
  }

  /** Reads `<dataDir>/secret.key`, creating it (0600) on first use. */
  static forDataDir(dataDir: string): SecretBox {
    return SecretBox.fromKey(loadOrCreateKey(masterKeyFileOf(dataDir)));
  }

  /**
   * The master key in `file`. The data directory's own (`create`) is made on first use; a file
   * the operator named must exist: a new key in its place would leave every sealed value (access
   * keys, tokens, KMS keys and through them every secret) unreadable, so start is refused instead.
   */
  static forFile(file: string, options: { create: boolean }): SecretBox {
    if (!options.create && !existsSync(file)) {
      throw new AppRunnerError(
        "HostSetupFailed",
        `The master key file ${file} does not exist. Restore it from its backup (every sealed secret and KMS key of the data directory ` +
          `needs it), or start without --master-key-file to use the data directory's own secret.key.`,
      );
    }
    return SecretBox.fromKey(loadOrCreateKey(file));
  }

  /**
   * `context` (the owning resource's ARN) is bound as additional authenticated data: a
   * ciphertext copied onto another row does not open there.
   */
  seal(plaintext: string, context: string): SealedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, "utf8"));
    const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return { v: VERSION, iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), data: data.toString("base64") };
  }

  /** Throws when the key, the context or the ciphertext is not the one it was sealed with. */
  open(sealed: SealedSecret, context: string): string {
    if (sealed.v !== VERSION) throw new Error(`unknown sealed secret version: ${String(sealed.v)}`);
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(sealed.iv, "base64"), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
    try {
      return Buffer.concat([decipher.update(Buffer.from(sealed.data, "base64")), decipher.final()]).toString("utf8");
    } catch (err) {
      throw new Error("the sealed secret does not open with this key and context", { cause: err });
    }
  }
}

/** Where the master key is kept unless the operator names another file (`--master-key-file`). */
export const masterKeyFileOf = (dataDir: string): string => join(dataDir, "secret.key");

function loadOrCreateKey(file: string): Buffer {
  const key = readOrCreateSecretFile(file, () => randomBytes(KEY_BYTES));
  if (key.length !== KEY_BYTES) {
    throw new Error(
      `${file} is not a secret key (${key.length} bytes, expected ${KEY_BYTES}); restore it from a backup ` +
        `(without it, stored connection tokens, secrets and KMS keys cannot be read)`,
    );
  }
  return key;
}
