import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { EncryptionContext, KeyService } from "./key-service.js";

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A value encrypted the way Secrets Manager and Parameter Store do: a fresh data key from KMS per
 * value (AES-256-GCM), kept only as KMS's ciphertext blob beside the data. Every part base64, so it
 * sits in a JSON or TEXT column as is.
 */
export interface Envelope {
  v: "e1";
  /** The KMS key the data key was made under (for DescribeSecret's KmsKeyId and the key-state checks). */
  keyArn: string;
  wrappedKey: string;
  iv: string;
  tag: string;
  data: string;
}

/** Encrypts `plaintext` under a new data key of `keyRef`; the context is bound to both layers. */
export function sealEnvelope(keys: KeyService, keyRef: string, plaintext: Buffer, context: EncryptionContext): Envelope {
  const dataKey = keys.generateDataKey(keyRef, context, 32);
  try {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", dataKey.plaintext, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(context));
    const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      v: "e1",
      keyArn: dataKey.keyArn,
      wrappedKey: dataKey.ciphertextBlob.toString("base64"),
      iv: iv.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
      data: data.toString("base64"),
    };
  } finally {
    dataKey.plaintext.fill(0);
  }
}

/** Decrypts an envelope: KMS opens the data key (so a disabled or deleted key stops it), then the data. */
export function openEnvelope(keys: KeyService, envelope: Envelope, context: EncryptionContext): Buffer {
  const { plaintext: dataKey } = keys.decrypt(Buffer.from(envelope.wrappedKey, "base64"), context, envelope.keyArn);
  try {
    const decipher = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(envelope.iv, "base64"), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(context));
    decipher.setAuthTag(Buffer.from(envelope.tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(envelope.data, "base64")), decipher.final()]);
  } catch (err) {
    throw new AppRunnerError("KmsInvalidCiphertext", "The value does not open with its data key and encryption context.", { cause: err });
  } finally {
    dataKey.fill(0);
  }
}

/** The context as sorted pairs, so the same map gives the same bytes whatever its key order. */
function aad(context: EncryptionContext): Buffer {
  return Buffer.from(JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]])), "utf8");
}
