import { createCipheriv, createDecipheriv } from "node:crypto";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { EncryptionContext } from "./key-service.js";

/*
 * KMS's ciphertext blob, OpenRunner's own layout (AWS's is opaque too):
 *
 *   "ORK" 0x01 | key id (36 ASCII bytes, a UUID) | IV (12) | GCM tag (16) | ciphertext
 *
 * The key id is in clear so Decrypt needs no KeyId, as for KMS's symmetric keys. The header and
 * the encryption context (sorted pairs) are the GCM's authenticated data: a blob decrypts only
 * with the same context, and a header edited to name another key does not open under it.
 */

const MAGIC = Buffer.from([0x4f, 0x52, 0x4b, 0x01]);
const KEY_ID_BYTES = 36;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + KEY_ID_BYTES;
const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The context as sorted pairs, so the same map gives the same bytes whatever its key order. */
export function contextBytes(context: EncryptionContext | undefined): Buffer {
  const c = context ?? {};
  return Buffer.from(JSON.stringify(Object.keys(c).sort().map((k) => [k, c[k]])), "utf8");
}

const invalidCiphertext = (cause?: unknown): AppRunnerError =>
  new AppRunnerError("KmsInvalidCiphertext", "", cause === undefined ? undefined : { cause });

/** Encrypts under `material` (32 bytes) with a fresh `iv` (12 bytes, the caller's randomness). */
export function sealBlob(keyId: string, material: Buffer, plaintext: Buffer, context: EncryptionContext | undefined, iv: Buffer): Buffer {
  if (!KEY_ID.test(keyId)) throw new Error(`not a KMS key id: ${keyId}`);
  if (iv.length !== IV_BYTES) throw new Error(`an IV is ${IV_BYTES} bytes, got ${iv.length}`);
  const header = Buffer.concat([MAGIC, Buffer.from(keyId, "ascii")]);
  const cipher = createCipheriv("aes-256-gcm", material, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.concat([header, contextBytes(context)]));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, cipher.getAuthTag(), data]);
}

/** The key a blob names; KMS's InvalidCiphertextException (empty message, as KMS) for anything that is not one of these blobs. */
export function keyIdOfBlob(blob: Buffer): string {
  if (blob.length < HEADER_BYTES + IV_BYTES + TAG_BYTES || !blob.subarray(0, MAGIC.length).equals(MAGIC)) throw invalidCiphertext();
  const keyId = blob.subarray(MAGIC.length, HEADER_BYTES).toString("ascii");
  if (!KEY_ID.test(keyId)) throw invalidCiphertext();
  return keyId;
}

/** Decrypts a blob under its key's material; InvalidCiphertextException when the context, the key or the bytes differ. */
export function openBlob(blob: Buffer, material: Buffer, context: EncryptionContext | undefined): Buffer {
  keyIdOfBlob(blob);
  const header = blob.subarray(0, HEADER_BYTES);
  const iv = blob.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
  const tag = blob.subarray(HEADER_BYTES + IV_BYTES, HEADER_BYTES + IV_BYTES + TAG_BYTES);
  try {
    const decipher = createDecipheriv("aes-256-gcm", material, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.concat([header, contextBytes(context)]));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(blob.subarray(HEADER_BYTES + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch (err) {
    throw invalidCiphertext(err);
  }
}
