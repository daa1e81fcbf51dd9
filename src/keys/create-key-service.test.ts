import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { Authorizer } from "../iam/authorization.js";
import type { Principal } from "../iam/principal.js";
import { SecretBox } from "../iam/secret-box.js";
import { Store } from "../store/store.js";
import { ManualClock } from "../util/clock.js";
import { cryptoRandom } from "../util/random.js";
import { createKeyService } from "./create-key-service.js";
import { openEnvelope, sealEnvelope } from "./envelope.js";

const ACCT = "111122223333";
const DAY_MS = 24 * 60 * 60 * 1000;
const CALL = { sourceIp: "127.0.0.1", secureTransport: false, time: 0 };
const ALICE: Principal = { accessKeyId: "AKIAALICE", accountId: ACCT, arn: `arn:aws:iam::${ACCT}:user/alice`, type: "IAMUser", userName: "alice" };

function fixture(identity: "Allow" | "ImplicitDeny" = "Allow") {
  const store = Store.open(":memory:");
  const clock = new ManualClock();
  const box = SecretBox.fromKey(randomBytes(32));
  const authorizer: Authorizer = { authorize: () => undefined, decide: () => identity };
  const keys = createKeyService({ store, box, authorizer, clock, random: cryptoRandom, accountId: ACCT, region: "us-east-1" });
  return { store, clock, keys };
}

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof AppRunnerError ? err.code : String(err);
  }
};

describe("the key service", () => {
  it("round trips under every reference, binds the context, and refuses another key's id, a disabled key and a pending one", () => {
    const { keys, store } = fixture();
    const a = keys.createKey({ description: "a" });
    const b = keys.createKey({ description: "b" });
    keys.createAlias("alias/a", a.keyId);
    const ctx = { PARAMETER_ARN: `arn:aws:ssm:us-east-1:${ACCT}:parameter/db` };
    for (const ref of [a.keyId, a.arn, "alias/a", `arn:aws:kms:us-east-1:${ACCT}:alias/a`]) {
      const { ciphertextBlob, keyArn } = keys.encrypt(ref, Buffer.from("pw"), ctx);
      assert.equal(keyArn, a.arn);
      assert.equal(keys.decrypt(ciphertextBlob, ctx).plaintext.toString(), "pw", ref);
    }
    const { ciphertextBlob } = keys.encrypt(a.keyId, Buffer.from("pw"), ctx);
    const table: [name: string, run: () => unknown, code: string][] = [
      ["another context", () => keys.decrypt(ciphertextBlob, { PARAMETER_ARN: "other" }), "KmsInvalidCiphertext"],
      ["another key named", () => keys.decrypt(ciphertextBlob, ctx, b.keyId), "KmsIncorrectKey"],
      ["an unknown key", () => keys.encrypt("11111111-2222-4333-8444-555555555555", Buffer.from("x")), "KmsNotFound"],
      ["an unknown alias", () => keys.encrypt("alias/none", Buffer.from("x")), "KmsNotFound"],
      ["another account's key", () => keys.encrypt(a.arn.replace(ACCT, "444455556666"), Buffer.from("x")), "KmsNotFound"],
      ["not a key reference", () => keys.describe("nonsense"), "KmsNotFound"],
    ];
    for (const [name, run, code] of table) assert.equal(codeOf(run), code, name);
    keys.change(a.keyId, "disable");
    assert.equal(codeOf(() => keys.decrypt(ciphertextBlob, ctx)), "KmsDisabled");
    assert.equal(codeOf(() => keys.assertUsable("alias/a")), "KmsDisabled");
    keys.change(a.keyId, "scheduleDeletion", 7);
    assert.equal(codeOf(() => keys.encrypt(a.keyId, Buffer.from("x"))), "KmsInvalidState");
    assert.equal(codeOf(() => keys.change(a.keyId, "scheduleDeletion", 7)), "KmsInvalidState");
    assert.equal(codeOf(() => keys.change(b.keyId, "scheduleDeletion", 31)), "KmsValidation");
    const material = store.db.prepare(`SELECT material FROM kms_keys WHERE key_id = ?`).get(a.keyId) as { material: string };
    assert.match(material.material, /"v":"v1"/, "key material is stored sealed only");
    store.close();
  });

  it("envelopes: sealed under a data key of the key, opened with the same context only", () => {
    const { keys, store } = fixture();
    const managed = keys.managedKey("aws/secretsmanager");
    const ctx = { SecretARN: "arn:1", SecretVersionId: "v1" };
    const env = sealEnvelope(keys, "alias/aws/secretsmanager", Buffer.from("s3cret"), ctx);
    assert.equal(env.keyArn, managed.arn);
    assert.equal(openEnvelope(keys, env, ctx).toString(), "s3cret");
    assert.equal(codeOf(() => openEnvelope(keys, env, { ...ctx, SecretVersionId: "v2" })), "KmsInvalidCiphertext");
    store.close();
  });

  it("AWS managed keys: made once on first use, never disabled, deleted or re-policied, usable by the account through its service", () => {
    const { keys, store } = fixture("ImplicitDeny");
    const first = keys.describe("alias/aws/ssm");
    assert.deepEqual([first.manager, first.state], ["AWS", "Enabled"]);
    assert.equal(keys.managedKey("aws/ssm").keyId, first.keyId);
    assert.equal(keys.list().length, 1);
    assert.equal(codeOf(() => keys.change(first.keyId, "disable")), "KmsUnsupportedOperation");
    assert.equal(codeOf(() => keys.putKeyPolicy(first.keyId, "{}")), "KmsUnsupportedOperation");
    keys.authorizeUse(ALICE, first.arn, "kms:Decrypt", CALL);
    assert.equal(codeOf(() => keys.assertAccess(ALICE, first.arn, "kms:Decrypt", CALL)), "AccessDenied", "not directly through KMS's API");
    store.close();
  });

  it("authorizeUse: the default key policy delegates to IAM, whose refusal stands", () => {
    const allowed = fixture("Allow");
    const key = allowed.keys.createKey({ description: "" });
    allowed.keys.authorizeUse(ALICE, key.arn, "kms:Decrypt", CALL);
    allowed.store.close();
    const refused = fixture("ImplicitDeny");
    const other = refused.keys.createKey({ description: "" });
    assert.equal(codeOf(() => refused.keys.authorizeUse(ALICE, other.arn, "kms:Decrypt", CALL)), "AccessDenied");
    refused.store.close();
  });

  it("a key past its deletion window is deleted with its aliases and tags; one within it is kept", () => {
    const { keys, store, clock } = fixture();
    const gone = keys.createKey({ description: "", tags: [{ Key: "t", Value: "v" }] });
    const kept = keys.createKey({ description: "" });
    keys.createAlias("alias/gone", gone.keyId);
    keys.change(gone.keyId, "scheduleDeletion", 7);
    keys.change(kept.keyId, "scheduleDeletion", 30);
    clock.advance(7 * DAY_MS - 1);
    assert.deepEqual(keys.deleteDueKeys(), []);
    clock.advance(1);
    assert.deepEqual(keys.deleteDueKeys(), [gone.arn]);
    assert.equal(codeOf(() => keys.describe(gone.keyId)), "KmsNotFound");
    assert.deepEqual(keys.aliases(), []);
    assert.equal(store.tags.record(gone.arn), undefined);
    assert.equal(keys.describe(kept.keyId).state, "PendingDeletion");
    store.close();
  });
});
