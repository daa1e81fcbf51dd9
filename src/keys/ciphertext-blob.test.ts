import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { contextBytes, keyIdOfBlob, openBlob, sealBlob } from "./ciphertext-blob.js";

const KEY_ID = "0b5c3c4e-1d2f-4a3b-8c4d-5e6f7a8b9c0d";
const OTHER_ID = "1b5c3c4e-1d2f-4a3b-8c4d-5e6f7a8b9c0d";
const MATERIAL = Buffer.alloc(32, 1);
const IV = Buffer.alloc(12, 2);
const CONTEXT = { SecretARN: "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf", SecretVersionId: "v1" };

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof AppRunnerError ? err.code : "not an AppRunnerError";
  }
};

describe("KMS's ciphertext blob", () => {
  const blob = sealBlob(KEY_ID, MATERIAL, Buffer.from("hunter2"), CONTEXT, IV);

  it("names its key in clear and opens with the same material and context, whatever the context's key order", () => {
    assert.equal(keyIdOfBlob(blob), KEY_ID);
    assert.equal(openBlob(blob, MATERIAL, { SecretVersionId: "v1", SecretARN: CONTEXT.SecretARN }).toString(), "hunter2");
    assert.ok(!blob.includes(Buffer.from("hunter2")), "the plaintext is not in the blob");
    assert.deepEqual(contextBytes(undefined), contextBytes({}));
  });

  const cases: [name: string, open: () => unknown][] = [
    ["another context", () => openBlob(blob, MATERIAL, { ...CONTEXT, SecretVersionId: "v2" })],
    ["no context where one was bound", () => openBlob(blob, MATERIAL, undefined)],
    ["a context where none was bound", () => openBlob(sealBlob(KEY_ID, MATERIAL, Buffer.from("x"), undefined, IV), MATERIAL, { a: "b" })],
    ["another key's material", () => openBlob(blob, Buffer.alloc(32, 9), CONTEXT)],
    ["a header edited to name another key", () => openBlob(Buffer.concat([blob.subarray(0, 4), Buffer.from(OTHER_ID), blob.subarray(40)]), MATERIAL, CONTEXT)],
    ["a flipped ciphertext byte", () => openBlob(Buffer.concat([blob.subarray(0, -1), Buffer.from([(blob.at(-1) ?? 0) ^ 1])]), MATERIAL, CONTEXT)],
    ["a truncated blob", () => keyIdOfBlob(blob.subarray(0, 50))],
    ["another format", () => keyIdOfBlob(Buffer.concat([Buffer.from("XXXX"), blob.subarray(4)]))],
    ["a header whose key id is not a UUID", () => keyIdOfBlob(Buffer.concat([blob.subarray(0, 4), Buffer.from("z".repeat(36)), blob.subarray(40)]))],
  ];
  for (const [name, open] of cases) {
    it(`refuses ${name} with InvalidCiphertextException`, () => assert.equal(codeOf(open), "KmsInvalidCiphertext"));
  }
});
