import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KeyState } from "../keys/key-service.js";
import { TestKeys } from "../../test/support/test-keys.js";
import { assertServiceKeyUsable } from "./service-encryption.js";

describe("assertServiceKeyUsable: what a new deployment checks of the service's key", () => {
  const cases: [name: string, state: KeyState | "Deleted" | "no KMS" | "no key", problem: string | undefined][] = [
    ["a service without a key", "no key", undefined],
    ["an Enabled key", "Enabled", undefined],
    ["a disabled key", "Disabled", "is disabled"],
    ["a key pending deletion", "PendingDeletion", "is pending deletion"],
    ["a deleted key", "Deleted", "is deleted or not found"],
    ["a key while the control plane runs without KMS", "no KMS", "is not available (this control plane runs without KMS)"],
  ];
  for (const [name, state, problem] of cases) {
    it(name, () => {
      const kms = new TestKeys();
      const key = kms.createKey();
      if (state !== "no KMS" && state !== "no key") kms.setState(key.arn, state);
      const check = (): void => assertServiceKeyUsable(state === "no KMS" ? undefined : kms.service, state === "no key" ? undefined : key.arn);
      if (problem === undefined) {
        check();
        return;
      }
      assert.throws(check, {
        code: "EncryptionKeyUnusable",
        message: `The service's configuration cannot be decrypted: the service's KMS key ${key.arn} ${problem}. Enable it (or cancel its deletion) with KMS, and deploy again.`,
      });
    });
  }
});
