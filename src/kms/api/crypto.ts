import type { KmsHandler } from "./env.js";
import { blob, contextOf, encryptionAlgorithm, keyIdOf, text, validation } from "./input.js";

/** KMS's limits: 4 KiB of plaintext, 6 KiB of ciphertext, 1 KiB data keys. */
const MAX_PLAINTEXT = 4096;
const MAX_CIPHERTEXT = 6144;
const MAX_DATA_KEY = 1024;
const ALGORITHM = "SYMMETRIC_DEFAULT";

type Context = Record<string, string>;

const encrypt: KmsHandler = (raw, _ctx, env) => {
  const input = raw as { KeyId?: string; Plaintext?: string; EncryptionContext?: Context; EncryptionAlgorithm?: string };
  encryptionAlgorithm(input.EncryptionAlgorithm);
  const out = env.keys.encrypt(keyIdOf(input.KeyId), blob(input.Plaintext, "plaintext", MAX_PLAINTEXT), contextOf(input.EncryptionContext));
  return { CiphertextBlob: out.ciphertextBlob.toString("base64"), KeyId: out.keyArn, EncryptionAlgorithm: ALGORITHM };
};

const decrypt: KmsHandler = (raw, _ctx, env) => {
  const input = raw as { KeyId?: string; CiphertextBlob?: string; EncryptionContext?: Context; EncryptionAlgorithm?: string };
  encryptionAlgorithm(input.EncryptionAlgorithm);
  const keyRef = text(input.KeyId, "keyId", 2048);
  const out = env.keys.decrypt(blob(input.CiphertextBlob, "ciphertextBlob", MAX_CIPHERTEXT), contextOf(input.EncryptionContext), keyRef);
  try {
    return { KeyId: out.keyArn, Plaintext: out.plaintext.toString("base64"), EncryptionAlgorithm: ALGORITHM };
  } finally {
    out.plaintext.fill(0);
  }
};

/** NumberOfBytes or KeySpec (AES_256: 32 bytes, AES_128: 16), exactly one, as KMS asks. */
function dataKeyBytes(input: { NumberOfBytes?: number; KeySpec?: string }): number {
  if ((input.NumberOfBytes === undefined) === (input.KeySpec === undefined)) throw validation("keySpec", "be given, or numberOfBytes, but not both");
  if (input.KeySpec !== undefined) {
    if (input.KeySpec === "AES_256") return 32;
    if (input.KeySpec === "AES_128") return 16;
    throw validation("keySpec", "satisfy enum value set: [AES_256, AES_128]", input.KeySpec);
  }
  const n = input.NumberOfBytes ?? 0;
  if (n < 1 || n > MAX_DATA_KEY) throw validation("numberOfBytes", `have value between 1 and ${MAX_DATA_KEY}`, n);
  return n;
}

interface DataKeyInput {
  KeyId?: string;
  EncryptionContext?: Context;
  NumberOfBytes?: number;
  KeySpec?: string;
}

const generateDataKey: KmsHandler = (raw, _ctx, env) => {
  const input = raw as DataKeyInput;
  const key = env.keys.generateDataKey(keyIdOf(input.KeyId), contextOf(input.EncryptionContext), dataKeyBytes(input));
  try {
    return { CiphertextBlob: key.ciphertextBlob.toString("base64"), Plaintext: key.plaintext.toString("base64"), KeyId: key.keyArn };
  } finally {
    key.plaintext.fill(0);
  }
};

const generateDataKeyWithoutPlaintext: KmsHandler = (raw, _ctx, env) => {
  const input = raw as DataKeyInput;
  const key = env.keys.generateDataKey(keyIdOf(input.KeyId), contextOf(input.EncryptionContext), dataKeyBytes(input));
  key.plaintext.fill(0);
  return { CiphertextBlob: key.ciphertextBlob.toString("base64"), KeyId: key.keyArn };
};

interface ReEncryptInput {
  CiphertextBlob?: string;
  SourceEncryptionContext?: Context;
  SourceKeyId?: string;
  DestinationKeyId?: string;
  DestinationEncryptionContext?: Context;
  SourceEncryptionAlgorithm?: string;
  DestinationEncryptionAlgorithm?: string;
}

const reEncrypt: KmsHandler = (raw, _ctx, env) => {
  const input = raw as ReEncryptInput;
  encryptionAlgorithm(input.SourceEncryptionAlgorithm);
  encryptionAlgorithm(input.DestinationEncryptionAlgorithm);
  const sourceKey = text(input.SourceKeyId, "sourceKeyId", 2048);
  const out = env.keys.reEncrypt(
    blob(input.CiphertextBlob, "ciphertextBlob", MAX_CIPHERTEXT),
    { ...(input.SourceEncryptionContext ? { context: input.SourceEncryptionContext } : {}), ...(sourceKey !== undefined ? { keyRef: sourceKey } : {}) },
    { keyRef: keyIdOf(input.DestinationKeyId, "destinationKeyId"), ...(input.DestinationEncryptionContext ? { context: input.DestinationEncryptionContext } : {}) },
  );
  return {
    CiphertextBlob: out.ciphertextBlob.toString("base64"),
    SourceKeyId: out.sourceKeyArn,
    KeyId: out.keyArn,
    SourceEncryptionAlgorithm: ALGORITHM,
    DestinationEncryptionAlgorithm: ALGORITHM,
  };
};

export const cryptoOperations: Record<string, KmsHandler> = {
  Encrypt: encrypt,
  Decrypt: decrypt,
  GenerateDataKey: generateDataKey,
  GenerateDataKeyWithoutPlaintext: generateDataKeyWithoutPlaintext,
  ReEncrypt: reEncrypt,
};
