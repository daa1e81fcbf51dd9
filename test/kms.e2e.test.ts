import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeyPoliciesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
} from "@aws-sdk/client-kms";
import { kmsModule } from "../src/kms/module.js";
import { DEFAULT_MODULES } from "../src/server.js";
import { createKmsModule } from "../src/kms/module.js";
import { KmsStore } from "../src/store/kms/kms-store.js";
import { awsCliEnv, runAwsCli } from "./support/aws-cli.js";
import { eventually, spawnOpenRunner, startInProcess, tempDataDir, type Credentials, type InProcessServer } from "./support/harness.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Rejects with the AWS error name (and message) the SDK parsed from KMS's answer. */
async function refused(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

const doc = (...statements: object[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString("utf8");

describe("KMS through @aws-sdk/client-kms and the AWS CLI v2", () => {
  let server: InProcessServer;
  let kms: KMSClient;
  let iam: IAMClient;
  /** The server's clock runs this far ahead (only while no signed call is made: SigV4 checks the time). */
  let shift = 0;
  const clients: KMSClient[] = [];
  const kmsAs = (credentials: Credentials): KMSClient => {
    const c = new KMSClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials, maxAttempts: 1 });
    clients.push(c);
    return c;
  };
  const userWithPolicy = async (name: string, policy?: string): Promise<KMSClient> => {
    await iam.send(new CreateUserCommand({ UserName: name }));
    if (policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "kms", PolicyDocument: policy }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
    return kmsAs({ accessKeyId: key?.AccessKeyId ?? "", secretAccessKey: key?.SecretAccessKey ?? "" });
  };

  before(async () => {
    server = await startInProcess({
      clock: { now: () => Date.now() + shift },
      // KMS's own module with a fast deletion sweep, so its real timer is seen deleting a key.
      modules: [...DEFAULT_MODULES.filter((m) => m !== createKmsModule), kmsModule({ deletionSweepMs: 100 })],
    });
    kms = kmsAs(server.running.rootKey);
    iam = new IAMClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey, maxAttempts: 1 });
  });
  after(async () => {
    for (const c of clients) c.destroy();
    iam.destroy();
    await server.close();
  });

  it("keys and aliases: create, describe by every reference, list, tags, policies; encrypt and decrypt with a context; data keys; re-encrypt", async () => {
    const account = server.running.config.accountId;
    const created = (await kms.send(new CreateKeyCommand({ Description: "app secrets", Tags: [{ TagKey: "team", TagValue: "web" }] }))).KeyMetadata;
    const keyId = created?.KeyId ?? "";
    const arn = `arn:aws:kms:us-east-1:${account}:key/${keyId}`;
    assert.match(keyId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(created?.Arn, arn);
    assert.deepEqual([created?.KeyState, created?.Enabled, created?.KeyManager, created?.KeySpec, created?.KeyUsage, created?.Origin], ["Enabled", true, "CUSTOMER", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS"]);
    assert.ok(created?.CreationDate instanceof Date);

    await kms.send(new CreateAliasCommand({ AliasName: "alias/app", TargetKeyId: keyId }));
    await refused(kms.send(new CreateAliasCommand({ AliasName: "alias/app", TargetKeyId: keyId })), "AlreadyExistsException", new RegExp(`alias/app already exists`));
    await refused(kms.send(new CreateAliasCommand({ AliasName: "alias/aws/mine", TargetKeyId: keyId })), "InvalidAliasNameException");
    for (const ref of [keyId, arn, "alias/app", `arn:aws:kms:us-east-1:${account}:alias/app`]) {
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: ref }))).KeyMetadata?.Arn, arn, ref);
    }
    await refused(kms.send(new DescribeKeyCommand({ KeyId: "alias/none" })), "NotFoundException", new RegExp(`Alias arn:aws:kms:us-east-1:${account}:alias/none is not found\\.`));
    const missing = "11111111-2222-4333-8444-555555555555";
    await refused(kms.send(new DescribeKeyCommand({ KeyId: missing })), "NotFoundException", new RegExp(`^Key 'arn:aws:kms:us-east-1:${account}:key/${missing}' does not exist$`));
    assert.ok((await kms.send(new ListKeysCommand({}))).Keys?.some((k) => k.KeyId === keyId && k.KeyArn === arn));
    const aliases = (await kms.send(new ListAliasesCommand({ KeyId: keyId }))).Aliases;
    assert.deepEqual(aliases?.map((a) => [a.AliasName, a.AliasArn, a.TargetKeyId]), [["alias/app", `arn:aws:kms:us-east-1:${account}:alias/app`, keyId]]);

    await kms.send(new TagResourceCommand({ KeyId: "alias/app", Tags: [{ TagKey: "env", TagValue: "prod" }] }));
    await kms.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ["team"] }));
    assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags, [{ TagKey: "env", TagValue: "prod" }]);

    const policy = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: "default" }))).Policy ?? "{}") as { Statement: { Principal: unknown; Action: unknown }[] };
    assert.deepEqual(policy.Statement.map((s) => [s.Principal, s.Action]), [[{ AWS: `arn:aws:iam::${account}:root` }, "kms:*"]], "the default key policy delegates to the account");
    assert.deepEqual((await kms.send(new ListKeyPoliciesCommand({ KeyId: keyId }))).PolicyNames, ["default"]);
    // Rotation: never done here, so always off (Terraform's aws_kms_key reads it on every refresh), and switching it refused.
    assert.deepEqual(await kms.send(new GetKeyRotationStatusCommand({ KeyId: "alias/app" })).then((r) => [r.KeyId, r.KeyRotationEnabled]), [arn, false]);
    await refused(kms.send(new GetKeyRotationStatusCommand({ KeyId: missing })), "NotFoundException");
    await refused(kms.send(new EnableKeyRotationCommand({ KeyId: keyId })), "UnsupportedOperationException", /rotation is not supported/);
    await refused(kms.send(new DisableKeyRotationCommand({ KeyId: keyId })), "UnsupportedOperationException", /rotation is not supported/);
    await refused(kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: "default", Policy: doc({ Effect: "Allow", Action: "kms:*", Resource: "*" }) })), "MalformedPolicyDocumentException");

    const context = { SecretARN: "arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf" };
    const sealed = await kms.send(new EncryptCommand({ KeyId: "alias/app", Plaintext: Buffer.from("hunter2"), EncryptionContext: context }));
    assert.equal(sealed.KeyId, arn);
    assert.equal(sealed.EncryptionAlgorithm, "SYMMETRIC_DEFAULT");
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: context }));
    assert.equal(text(opened.Plaintext), "hunter2", "Decrypt needs no KeyId: the blob names its key");
    assert.equal(opened.KeyId, arn);
    await refused(kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { SecretARN: "another" } })), "InvalidCiphertextException");
    await refused(kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })), "InvalidCiphertextException");
    await refused(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from("not a ciphertext blob at all, not even close") })), "InvalidCiphertextException");

    const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? "";
    await refused(kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: context, KeyId: other })), "IncorrectKeyException");
    const moved = await kms.send(new ReEncryptCommand({ CiphertextBlob: sealed.CiphertextBlob, SourceEncryptionContext: context, DestinationKeyId: other }));
    assert.equal(moved.SourceKeyId, arn);
    assert.equal(text((await kms.send(new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob }))).Plaintext), "hunter2");
    await kms.send(new UpdateAliasCommand({ AliasName: "alias/app", TargetKeyId: other }));
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: "alias/app" }))).KeyMetadata?.KeyId, other);

    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: context }));
    assert.equal(dataKey.Plaintext?.length, 32);
    const reopened = await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: context }));
    assert.deepEqual(Buffer.from(reopened.Plaintext ?? []), Buffer.from(dataKey.Plaintext ?? []));
    const blind = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, NumberOfBytes: 16 }));
    assert.equal("Plaintext" in blind, false);
    assert.equal((await kms.send(new DecryptCommand({ CiphertextBlob: blind.CiphertextBlob }))).Plaintext?.length, 16);
    await refused(kms.send(new GenerateDataKeyCommand({ KeyId: keyId })), "ValidationException");

    await kms.send(new DeleteAliasCommand({ AliasName: "alias/app" }));
    await refused(kms.send(new DeleteAliasCommand({ AliasName: "alias/app" })), "NotFoundException");

    // CloudTrail records KMS's calls, never their plaintext (the model's sensitive Plaintext).
    const trail = new CloudTrailClient({ endpoint: server.running.endpoint, region: "us-east-1", credentials: server.running.rootKey, maxAttempts: 1 });
    try {
      const events = await eventually(async () => {
        const r = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "Decrypt" }] }));
        return (r.Events?.length ?? 0) > 0 ? r.Events : undefined;
      });
      assert.equal(events?.[0]?.EventSource, "kms.amazonaws.com");
      const all = await trail.send(new LookupEventsCommand({ MaxResults: 50 }));
      const recorded = JSON.stringify(all.Events);
      for (const secret of ["hunter2", Buffer.from("hunter2").toString("base64"), Buffer.from(dataKey.Plaintext ?? []).toString("base64")]) {
        assert.ok(!recorded.includes(secret), `the trail never holds ${secret}`);
      }
    } finally {
      trail.destroy();
    }
  });

  it("states: disabled refuses use, scheduled deletion refuses use and is cancelled to Disabled; AWS managed keys are made on first use and refuse changes", async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata;
    const arn = key?.Arn ?? "";
    const sealed = await kms.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from("v1") }));
    await kms.send(new DisableKeyCommand({ KeyId: arn }));
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata?.KeyState, "Disabled");
    await refused(kms.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from("v2") })), "DisabledException", new RegExp(`^${arn} is disabled\\.$`));
    await refused(kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })), "DisabledException");
    await kms.send(new EnableKeyCommand({ KeyId: arn }));
    assert.equal(text((await kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))).Plaintext), "v1");

    await refused(kms.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 6 })), "ValidationException", /between 7 and 30/);
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: arn }));
    assert.deepEqual([scheduled.KeyId, scheduled.KeyState, scheduled.PendingWindowInDays], [arn, "PendingDeletion", 30]);
    const days = ((scheduled.DeletionDate?.getTime() ?? 0) - Date.now()) / DAY_MS;
    assert.ok(days > 29 && days <= 30, `deleted in ${days} days`);
    await refused(kms.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from("v2") })), "KMSInvalidStateException", new RegExp(`^${arn} is pending deletion\\.$`));
    await refused(kms.send(new EnableKeyCommand({ KeyId: arn })), "KMSInvalidStateException");
    assert.equal((await kms.send(new CancelKeyDeletionCommand({ KeyId: arn }))).KeyId, arn);
    await refused(kms.send(new CancelKeyDeletionCommand({ KeyId: arn })), "KMSInvalidStateException", /is not pending deletion/);
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata?.KeyState, "Disabled", "a cancelled deletion leaves the key disabled, as KMS does");

    const managed = (await kms.send(new DescribeKeyCommand({ KeyId: "alias/aws/secretsmanager" }))).KeyMetadata;
    assert.equal(managed?.KeyManager, "AWS");
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: "alias/aws/secretsmanager" }))).KeyMetadata?.KeyId, managed?.KeyId, "made once");
    assert.ok((await kms.send(new ListAliasesCommand({}))).Aliases?.some((a) => a.AliasName === "alias/aws/secretsmanager" && a.TargetKeyId === managed?.KeyId));
    await refused(kms.send(new DisableKeyCommand({ KeyId: managed?.KeyId })), "AccessDeniedException", /kms:DisableKey/);
    await refused(kms.send(new ScheduleKeyDeletionCommand({ KeyId: managed?.KeyId })), "AccessDeniedException");
    await refused(kms.send(new EncryptCommand({ KeyId: "alias/aws/secretsmanager", Plaintext: Buffer.from("x") })), "AccessDeniedException", /no resource-based policy/);
  });

  it("authorization: an identity policy allows through the default key policy; a key policy that names someone else refuses; an explicit deny wins", async () => {
    const account = server.running.config.accountId;
    const shared = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
    const alice = await userWithPolicy("kms-alice", doc({ Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], Resource: "*" }));
    const bob = await userWithPolicy("kms-bob");
    const carol = await userWithPolicy("kms-carol", doc({ Effect: "Allow", Action: "kms:*", Resource: "*" }, { Effect: "Deny", Action: "kms:Decrypt", Resource: shared }));

    const sealed = await alice.send(new EncryptCommand({ KeyId: shared, Plaintext: Buffer.from("for alice") }));
    assert.equal(text((await alice.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))).Plaintext), "for alice");
    await refused(bob.send(new EncryptCommand({ KeyId: shared, Plaintext: Buffer.from("x") })), "AccessDeniedException", /because no identity-based policy allows the kms:Encrypt action/);
    await refused(alice.send(new DisableKeyCommand({ KeyId: shared })), "AccessDeniedException");
    await refused(alice.send(new CreateKeyCommand({})), "AccessDeniedException", /kms:CreateKey on resource: \*/);
    await carol.send(new EncryptCommand({ KeyId: shared, Plaintext: Buffer.from("x") }));
    await refused(carol.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })), "AccessDeniedException", /with an explicit deny in an identity-based policy/);

    // A key whose policy names bob alone: bob may use it without any IAM policy, alice may not whatever hers says.
    const bobsPolicy = doc({ Sid: "bob only", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:user/kms-bob` }, Action: "kms:*", Resource: "*" });
    const bobs = (await kms.send(new CreateKeyCommand({ Policy: bobsPolicy }))).KeyMetadata?.Arn ?? "";
    const forBob = await bob.send(new EncryptCommand({ KeyId: bobs, Plaintext: Buffer.from("bob's") }));
    await refused(alice.send(new DecryptCommand({ CiphertextBlob: forBob.CiphertextBlob })), "AccessDeniedException", /because no resource-based policy allows the kms:Decrypt action/);
    await refused(alice.send(new EncryptCommand({ KeyId: bobs, Plaintext: Buffer.from("x") })), "AccessDeniedException", new RegExp(`kms:Encrypt on resource: ${bobs}`));
    // A deny in the key policy refuses even the key's own principal.
    await kms.send(new PutKeyPolicyCommand({ KeyId: bobs, Policy: doc(JSON.parse(bobsPolicy).Statement[0], { Effect: "Deny", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }) }));
    await refused(bob.send(new DecryptCommand({ CiphertextBlob: forBob.CiphertextBlob })), "AccessDeniedException", /explicit deny in a resource-based policy/);
  });

  it("the AWS CLI v2: create-key, create-alias, encrypt and decrypt files", async () => {
    const env = awsCliEnv(server.running.files, { AWS_PROFILE: "openrunner" });
    const dir = mkdtempSync(join(tmpdir(), "kms-cli-"));
    try {
      const cli = async (...argv: string[]): Promise<string> => {
        const r = await runAwsCli(["kms", ...argv, "--endpoint-url", server.running.endpoint, "--output", "json"], env);
        assert.equal(r.code, 0, r.stderr);
        return r.stdout;
      };
      const keyId = (JSON.parse(await cli("create-key", "--description", "from the CLI")) as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;
      await cli("create-alias", "--alias-name", "alias/cli", "--target-key-id", keyId);
      writeFileSync(join(dir, "plain"), "cli secret");
      const encrypted = JSON.parse(await cli("encrypt", "--key-id", "alias/cli", "--plaintext", `fileb://${join(dir, "plain")}`, "--encryption-context", "app=web")) as { CiphertextBlob: string };
      writeFileSync(join(dir, "blob"), Buffer.from(encrypted.CiphertextBlob, "base64"));
      const decrypted = JSON.parse(await cli("decrypt", "--ciphertext-blob", `fileb://${join(dir, "blob")}`, "--encryption-context", "app=web")) as { Plaintext: string };
      assert.equal(Buffer.from(decrypted.Plaintext, "base64").toString("utf8"), "cli secret");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a key past its deletion window is deleted by the sweep's own timer: it is gone and its ciphertexts never open again", async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata;
    const sealed = await kms.send(new EncryptCommand({ KeyId: key?.KeyId, Plaintext: Buffer.from("last words") }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key?.KeyId, PendingWindowInDays: 7 }));
    const store = new KmsStore(server.running.store.db);
    assert.ok(store.key(key?.KeyId ?? ""), "still there within its window");
    shift = 7 * DAY_MS + 60_000;
    try {
      await eventually(async () => Promise.resolve(store.key(key?.KeyId ?? "") === undefined ? true : undefined), 10_000);
    } finally {
      shift = 0;
    }
    await refused(kms.send(new DescribeKeyCommand({ KeyId: key?.KeyId })), "NotFoundException", /does not exist/);
    await refused(kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob })), "NotFoundException", new RegExp(`^Key '${key?.Arn ?? "-"}' does not exist$`));
  });
});

describe("the master key outside the data directory", () => {
  it("seals KMS keys under the named file, leaves no secret.key in the data directory, and a missing file refuses start", async () => {
    const data = tempDataDir();
    const keyDir = mkdtempSync(join(tmpdir(), "master-key-"));
    const keyFile = join(keyDir, "master.key");
    writeFileSync(keyFile, Buffer.alloc(32, 7), { mode: 0o600 });
    try {
      const first = await startInProcess({ dataDir: data.dir, masterKeyFile: keyFile });
      let blob: Uint8Array | undefined;
      const c1 = new KMSClient({ endpoint: first.running.endpoint, region: "us-east-1", credentials: first.running.rootKey, maxAttempts: 1 });
      try {
        const keyId = (await c1.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId;
        blob = (await c1.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("kept") }))).CiphertextBlob;
      } finally {
        c1.destroy();
        await first.close();
      }
      assert.equal(existsSync(join(data.dir, "secret.key")), false, "nothing secret is made in the data directory");
      assert.equal(readFileSync(keyFile).length, 32);

      await assert.rejects(startInProcess({ dataDir: data.dir, masterKeyFile: join(keyDir, "elsewhere.key") }), /master key file .*elsewhere\.key does not exist/);
      await assert.rejects(
        spawnOpenRunner(["--data-dir", data.dir, "--master-key-file", join(keyDir, "elsewhere.key"), "--runtime", "none", "--router", "none", "--port", "0"]),
        /exited with 1:[\s\S]*The master key file .*elsewhere\.key does not exist\. Restore it from its backup/,
        "openrunner up refuses to start, saying why",
      );
      assert.equal(existsSync(join(keyDir, "elsewhere.key")), false, "a missing master key is never replaced by a new one");

      const again = await startInProcess({ dataDir: data.dir, masterKeyFile: keyFile });
      const c2 = new KMSClient({ endpoint: again.running.endpoint, region: "us-east-1", credentials: again.running.rootKey, maxAttempts: 1 });
      try {
        assert.equal(text((await c2.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext), "kept", "the key material opens after a restart with the same master key");
      } finally {
        c2.destroy();
        await again.close();
      }
    } finally {
      data.remove();
      rmSync(keyDir, { recursive: true, force: true });
    }
  });
});
