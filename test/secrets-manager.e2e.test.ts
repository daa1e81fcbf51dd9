import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { createAuthorizer } from "../src/iam/authorizer.js";
import { createSecretsManagerModule, secretsManagerModule, type SecretsManagerModule } from "../src/secrets-manager/module.js";
import { DEFAULT_MODULES } from "../src/server.js";
import { storeIdentityPolicies } from "../src/store/iam/identity-policies.js";
import { AWS_CLI, awsCliEnv, runAwsCli } from "./support/aws-cli.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { TestKeys } from "./support/test-keys.js";

const DAY = 24 * 60 * 60 * 1000;
const ARN_OF = (name: string): RegExp => new RegExp(`^arn:aws:secretsmanager:us-east-1:\\d{12}:secret:${name}-[A-Za-z0-9]{6}$`);

/*
 * Secrets Manager through @aws-sdk/client-secrets-manager and the AWS CLI v2 against one real
 * server. KMS is the real key service over the test's own store (test/support/test-keys.ts), so
 * the test makes keys and disables them directly; the values Secrets Manager stores are its envelopes.
 */
describe("Secrets Manager through the SDK and the AWS CLI over real HTTP", () => {
  let server: InProcessServer;
  let sm: SecretsManagerClient;
  let iam: IAMClient;
  const keys = new TestKeys();
  // The server's clock runs with real time; the purge test moves it past a recovery window.
  let offsetMs = 0;
  let module: SecretsManagerModule | undefined;

  before(async () => {
    server = await startInProcess({
      keys: keys.service,
      clock: { now: () => Date.now() + offsetMs },
      modules: [...DEFAULT_MODULES.filter((m) => m !== createSecretsManagerModule), (deps) => (module = secretsManagerModule({ purgeEveryMs: 100 })(deps))],
    });
    const { endpoint, config, rootKey, store } = server.running;
    keys.place.accountId = config.accountId;
    keys.place.region = config.region;
    keys.authorizer = createAuthorizer({ policies: storeIdentityPolicies(store.iam), resourceTags: (arn) => store.tags.record(arn), accountId: config.accountId, region: config.region });
    sm = new SecretsManagerClient({ endpoint, region: config.region, credentials: rootKey, maxAttempts: 1 });
    iam = new IAMClient({ endpoint, region: config.region, credentials: rootKey, maxAttempts: 1 });
  });
  after(async () => {
    sm?.destroy();
    iam?.destroy();
    await server?.close();
  });

  /** A client signed by a new IAM user whose only policy is `statements`. */
  async function clientOf(user: string, statements: unknown[]): Promise<SecretsManagerClient> {
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: "secrets", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey;
    const { endpoint, config } = server.running;
    return new SecretsManagerClient({ endpoint, region: config.region, credentials: { accessKeyId: key?.AccessKeyId ?? "", secretAccessKey: key?.SecretAccessKey ?? "" }, maxAttempts: 1 });
  }

  it("CreateSecret gives an ARN with a random suffix; GetSecretValue by name, complete and partial ARN; DescribeSecret", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: "prod/db", Description: "Database password", SecretString: "s3cr3t-one", Tags: [{ Key: "team", Value: "web" }] }));
    assert.match(created.ARN ?? "", ARN_OF("prod/db"));
    assert.equal(created.Name, "prod/db");
    assert.ok(created.VersionId);
    const arn = created.ARN ?? "";
    for (const id of ["prod/db", arn, arn.slice(0, -7)]) {
      const got = await sm.send(new GetSecretValueCommand({ SecretId: id }));
      assert.equal(got.SecretString, "s3cr3t-one", id);
      assert.equal(got.VersionId, created.VersionId);
      assert.deepEqual(got.VersionStages, ["AWSCURRENT"]);
      assert.equal(got.ARN, arn);
    }
    const described = await sm.send(new DescribeSecretCommand({ SecretId: "prod/db" }));
    assert.equal(described.ARN, arn);
    assert.equal(described.Description, "Database password");
    assert.equal(described.KmsKeyId, undefined, "the AWS managed key is not shown");
    assert.deepEqual(described.VersionIdsToStages, { [created.VersionId ?? ""]: ["AWSCURRENT"] });
    assert.deepEqual(described.Tags, [{ Key: "team", Value: "web" }]);
    assert.equal(described.DeletedDate, undefined);
    assert.ok(described.CreatedDate instanceof Date);
    // LastAccessedDate is a day, as AWS keeps it.
    assert.equal((described.LastAccessedDate?.getTime() ?? 1) % DAY, 0);
    // The value was sealed under aws/secretsmanager, made on first use.
    assert.equal(keys.service.describe("alias/aws/secretsmanager").manager, "AWS");
    await assert.rejects(sm.send(new GetSecretValueCommand({ SecretId: "prod/none" })), { name: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." });
    const policy = await sm.send(new GetResourcePolicyCommand({ SecretId: "prod/db" }));
    assert.equal(policy.ResourcePolicy, undefined);
  });

  it("ClientRequestToken: the same request again is the same version; another value under it is refused", async () => {
    const token = "a".repeat(32);
    const first = await sm.send(new CreateSecretCommand({ Name: "idem", SecretString: "v1", ClientRequestToken: token }));
    const again = await sm.send(new CreateSecretCommand({ Name: "idem", SecretString: "v1", ClientRequestToken: token }));
    assert.equal(again.ARN, first.ARN);
    assert.equal(again.VersionId, token);
    await assert.rejects(sm.send(new CreateSecretCommand({ Name: "idem", SecretString: "v2", ClientRequestToken: token })), {
      name: "ResourceExistsException",
      message: "You can't modify an existing version, you can only create a new version.",
    });
    await assert.rejects(sm.send(new CreateSecretCommand({ Name: "idem", SecretString: "v1" })), {
      name: "ResourceExistsException",
      message: "The operation failed because the secret idem already exists.",
    });
    const put = await sm.send(new PutSecretValueCommand({ SecretId: "idem", SecretString: "v1", ClientRequestToken: token }));
    assert.equal(put.VersionId, token);
    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "idem" }));
    assert.equal(versions.Versions?.length, 1, "no version was added");
    await assert.rejects(sm.send(new CreateSecretCommand({ Name: "both", SecretString: "x", SecretBinary: Buffer.from("y") })), { name: "InvalidParameterException" });
  });

  it("PutSecretValue rotates: the new version is AWSCURRENT, the old one AWSPREVIOUS, the one before deprecated", async () => {
    const v1 = (await sm.send(new CreateSecretCommand({ Name: "rotated", SecretString: "one" }))).VersionId ?? "";
    const v2 = await sm.send(new PutSecretValueCommand({ SecretId: "rotated", SecretString: "two" }));
    assert.deepEqual(v2.VersionStages, ["AWSCURRENT"]);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "rotated" }))).SecretString, "two");
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "rotated", VersionStage: "AWSPREVIOUS" }))).SecretString, "one");
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "rotated", VersionId: v1 }))).SecretString, "one");
    await assert.rejects(sm.send(new GetSecretValueCommand({ SecretId: "rotated", VersionId: v1, VersionStage: "AWSCURRENT" })), { name: "ResourceNotFoundException" });
    await assert.rejects(sm.send(new GetSecretValueCommand({ SecretId: "rotated", VersionStage: "AWSPENDING" })), {
      name: "ResourceNotFoundException",
      message: "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
    });
    const pending = await sm.send(new PutSecretValueCommand({ SecretId: "rotated", SecretString: "pending", VersionStages: ["AWSPENDING"] }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "rotated" }))).SecretString, "two", "AWSPENDING does not move AWSCURRENT");
    const v3 = await sm.send(new UpdateSecretCommand({ SecretId: "rotated", SecretString: "three", Description: "rotated thrice" }));
    const described = await sm.send(new DescribeSecretCommand({ SecretId: "rotated" }));
    assert.deepEqual(described.VersionIdsToStages, { [v3.VersionId ?? ""]: ["AWSCURRENT"], [v2.VersionId ?? ""]: ["AWSPREVIOUS"], [pending.VersionId ?? ""]: ["AWSPENDING"] });
    assert.equal(described.Description, "rotated thrice");
    const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "rotated" }));
    assert.deepEqual(listed.Versions?.map((v) => v.VersionId).sort(), [v3.VersionId, v2.VersionId, pending.VersionId].sort());
    assert.deepEqual(listed.Versions?.[0]?.KmsKeyIds, ["DefaultEncryptionKey"]);
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "rotated", IncludeDeprecated: true }));
    assert.deepEqual(all.Versions?.find((v) => v.VersionId === v1)?.VersionStages, [], "the first version lost its labels");
  });

  it("a SecretBinary round-trips; a customer managed key is named by DescribeSecret and a disabled one refuses the value", async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await sm.send(new CreateSecretCommand({ Name: "binary", SecretBinary: bytes }));
    const got = await sm.send(new GetSecretValueCommand({ SecretId: "binary" }));
    assert.deepEqual(Buffer.from(got.SecretBinary ?? new Uint8Array()), bytes);
    assert.equal(got.SecretString, undefined);

    const key = keys.createKey("alias/app-secrets");
    await sm.send(new CreateSecretCommand({ Name: "cmk", SecretString: "under-my-key", KmsKeyId: "alias/app-secrets" }));
    // The caller's kms:GenerateDataKey is checked: a user allowed only secretsmanager:CreateSecret is refused by KMS.
    const writer = await clientOf("cmk-writer", [{ Effect: "Allow", Action: "secretsmanager:CreateSecret", Resource: "*" }]);
    try {
      await assert.rejects(writer.send(new CreateSecretCommand({ Name: "cmk-refused", SecretString: "x", KmsKeyId: "alias/app-secrets" })), (err: Error) => {
        assert.equal(err.name, "AccessDeniedException");
        assert.match(err.message, new RegExp(`not authorized to perform: kms:GenerateDataKey on resource: ${key.arn}`));
        return true;
      });
    } finally {
      writer.destroy();
    }
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: "cmk" }))).KmsKeyId, "alias/app-secrets");
    assert.deepEqual((await sm.send(new ListSecretVersionIdsCommand({ SecretId: "cmk" }))).Versions?.[0]?.KmsKeyIds, [key.arn]);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "cmk" }))).SecretString, "under-my-key");
    keys.setState(key.keyId, "Disabled");
    try {
      await assert.rejects(sm.send(new GetSecretValueCommand({ SecretId: "cmk" })), (err: Error) => {
        assert.equal(err.name, "DecryptionFailure");
        assert.match(err.message, /can't decrypt the protected secret text using the provided KMS key: .*disabled/);
        return true;
      });
      await assert.rejects(sm.send(new PutSecretValueCommand({ SecretId: "cmk", SecretString: "x" })), { name: "EncryptionFailure" });
    } finally {
      keys.setState(key.keyId, "Enabled");
    }
    await assert.rejects(sm.send(new CreateSecretCommand({ Name: "nokey", SecretString: "x", KmsKeyId: "alias/none" })), { name: "EncryptionFailure" });
    // UpdateSecret back to the managed key seals the labeled versions again under it.
    await sm.send(new UpdateSecretCommand({ SecretId: "cmk", KmsKeyId: "" }));
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: "cmk" }))).KmsKeyId, undefined);
    keys.setState(key.keyId, "Disabled");
    try {
      assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "cmk" }))).SecretString, "under-my-key");
    } finally {
      keys.setState(key.keyId, "Enabled");
    }
  });

  it("ListSecrets filters by name, description, tag key and value, all, negation; pages with MaxResults", async () => {
    await sm.send(new CreateSecretCommand({ Name: "list/alpha", Description: "Payment API key", Tags: [{ Key: "env", Value: "prod" }] }));
    await sm.send(new CreateSecretCommand({ Name: "list/beta", Description: "Mail password", Tags: [{ Key: "env", Value: "staging" }] }));
    await sm.send(new CreateSecretCommand({ Name: "list/gamma", Tags: [{ Key: "owner", Value: "ops" }] }));
    const names = async (filters: { Key: "name" | "description" | "tag-key" | "tag-value" | "all"; Values: string[] }[]): Promise<string[]> =>
      ((await sm.send(new ListSecretsCommand({ Filters: filters }))).SecretList ?? []).map((s) => s.Name ?? "").sort();
    assert.deepEqual(await names([{ Key: "name", Values: ["list/"] }]), ["list/alpha", "list/beta", "list/gamma"]);
    assert.deepEqual(await names([{ Key: "name", Values: ["List/"] }]), [], "name is case-sensitive");
    assert.deepEqual(await names([{ Key: "description", Values: ["payment"] }]), ["list/alpha"]);
    assert.deepEqual(await names([{ Key: "name", Values: ["list/"] }, { Key: "tag-key", Values: ["env"] }]), ["list/alpha", "list/beta"]);
    assert.deepEqual(await names([{ Key: "tag-value", Values: ["prod", "ops"] }]), ["list/alpha", "list/gamma"]);
    assert.deepEqual(await names([{ Key: "name", Values: ["list/"] }, { Key: "tag-value", Values: ["!prod"] }]), ["list/beta", "list/gamma"]);
    assert.deepEqual(await names([{ Key: "all", Values: ["mail"] }]), ["list/beta"]);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await sm.send(new ListSecretsCommand({ MaxResults: 2, NextToken: token, Filters: [{ Key: "name", Values: ["list/"] }], SortOrder: "asc", SortBy: "name" }));
      assert.ok((page.SecretList?.length ?? 0) <= 2);
      seen.push(...(page.SecretList ?? []).map((s) => s.Name ?? ""));
      token = page.NextToken;
      pages++;
    } while (token !== undefined && pages < 10);
    assert.deepEqual(seen, ["list/alpha", "list/beta", "list/gamma"]);
    assert.equal(pages, 2);
    const entry = (await sm.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["prod/db"] }] }))).SecretList?.[0];
    assert.ok(entry?.SecretVersionsToStages && Object.values(entry.SecretVersionsToStages).some((s) => s.includes("AWSCURRENT")));
  });

  it("DeleteSecret with a recovery window: the value is refused, the name stays taken, RestoreSecret brings it back", async () => {
    await sm.send(new CreateSecretCommand({ Name: "doomed", SecretString: "keep-me" }));
    await assert.rejects(sm.send(new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 6 })), {
      name: "InvalidParameterException",
      message: "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
    });
    await assert.rejects(sm.send(new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })), { name: "InvalidParameterException" });
    const before = Date.now();
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 7 }));
    const scheduled = deleted.DeletionDate?.getTime() ?? 0;
    assert.ok(scheduled >= before + 7 * DAY - 1000 && scheduled <= Date.now() + 7 * DAY + 1000, "seven days from now");
    await assert.rejects(sm.send(new GetSecretValueCommand({ SecretId: "doomed" })), {
      name: "InvalidRequestException",
      message: "You can't perform this operation on the secret because it was marked for deletion.",
    });
    assert.ok((await sm.send(new DescribeSecretCommand({ SecretId: "doomed" }))).DeletedDate instanceof Date);
    const listed = async (include: boolean): Promise<boolean> =>
      ((await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: include, Filters: [{ Key: "name", Values: ["doomed"] }] }))).SecretList ?? []).length === 1;
    assert.equal(await listed(false), false);
    assert.equal(await listed(true), true);
    await assert.rejects(sm.send(new CreateSecretCommand({ Name: "doomed", SecretString: "x" })), {
      name: "InvalidRequestException",
      message: "You can't create this secret because a secret with this name is already scheduled for deletion.",
    });
    await sm.send(new RestoreSecretCommand({ SecretId: "doomed" }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "doomed" }))).SecretString, "keep-me");
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: "doomed" }))).DeletedDate, undefined);
  });

  it("ForceDeleteWithoutRecovery removes it at once; the name makes a new secret with another ARN", async () => {
    const old = await sm.send(new CreateSecretCommand({ Name: "forced", SecretString: "gone" }));
    await sm.send(new DeleteSecretCommand({ SecretId: "forced", ForceDeleteWithoutRecovery: true }));
    await assert.rejects(sm.send(new DescribeSecretCommand({ SecretId: "forced" })), { name: "ResourceNotFoundException" });
    await assert.rejects(sm.send(new GetSecretValueCommand({ SecretId: old.ARN })), { name: "ResourceNotFoundException" });
    const renewed = await sm.send(new CreateSecretCommand({ Name: "forced", SecretString: "new" }));
    assert.notEqual(renewed.ARN, old.ARN);
    // Forcing the deletion of what is not there is no error (AWS documents it).
    await sm.send(new DeleteSecretCommand({ SecretId: "never-was", ForceDeleteWithoutRecovery: true }));
  });

  it("TagResource and UntagResource", async () => {
    await sm.send(new CreateSecretCommand({ Name: "tagged", SecretString: "t" }));
    await sm.send(new TagResourceCommand({ SecretId: "tagged", Tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }] }));
    await sm.send(new UntagResourceCommand({ SecretId: "tagged", TagKeys: ["a"] }));
    assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: "tagged" }))).Tags, [{ Key: "b", Value: "2" }]);
    await assert.rejects(sm.send(new TagResourceCommand({ SecretId: "tagged", Tags: [{ Key: "aws:x", Value: "1" }] })), { name: "InvalidParameterException" });
  });

  it("an IAM user without secretsmanager:GetSecretValue is refused the value; one without kms:Decrypt on a customer key too", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: "guarded", SecretString: "guarded-value" }));
    const viewer = await clientOf("viewer", [{ Effect: "Allow", Action: "secretsmanager:DescribeSecret", Resource: "arn:aws:secretsmanager:*:*:secret:guarded-*" }]);
    try {
      assert.equal((await viewer.send(new DescribeSecretCommand({ SecretId: "guarded" }))).ARN, created.ARN);
      await assert.rejects(viewer.send(new GetSecretValueCommand({ SecretId: "guarded" })), (err: Error) => {
        assert.equal(err.name, "AccessDeniedException");
        assert.match(err.message, new RegExp(`not authorized to perform: secretsmanager:GetSecretValue on resource: ${created.ARN ?? ""}`));
        return true;
      });
    } finally {
      viewer.destroy();
    }
    keys.createKey("alias/guarded");
    await sm.send(new CreateSecretCommand({ Name: "guarded-cmk", SecretString: "cmk-value", KmsKeyId: "alias/guarded" }));
    const reader = await clientOf("reader", [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*" }]);
    try {
      assert.equal((await reader.send(new GetSecretValueCommand({ SecretId: "guarded" }))).SecretString, "guarded-value", "the managed key needs no KMS grant");
      await assert.rejects(reader.send(new GetSecretValueCommand({ SecretId: "guarded-cmk" })), (err: Error) => {
        assert.equal(err.name, "AccessDeniedException");
        assert.match(err.message, /kms:Decrypt/);
        return true;
      });
    } finally {
      reader.destroy();
    }
  });

  it("CloudTrail records GetSecretValue (the API's and a deployment's) and PutSecretValue without the value; no file of the data directory holds it", async () => {
    const value = "Tr41l-V4lue-that-must-never-show";
    await sm.send(new CreateSecretCommand({ Name: "audited", SecretString: value }));
    await sm.send(new PutSecretValueCommand({ SecretId: "audited", SecretString: `${value}-2` }));
    await sm.send(new GetSecretValueCommand({ SecretId: "audited" }));
    const { endpoint, config, rootKey, dataDir } = server.running;
    // What a deployment does with the service's instance role (here the account itself).
    const principal = { accessKeyId: rootKey.accessKeyId, accountId: config.accountId, arn: `arn:aws:iam::${config.accountId}:root`, type: "Root" as const };
    assert.equal(module?.reader.secretString(principal, { secretId: "audited", versionStage: "AWSPREVIOUS" }, { sourceIp: "127.0.0.1", secureTransport: false, time: Date.now() }), value);
    const trail = new CloudTrailClient({ endpoint, region: config.region, credentials: rootKey, maxAttempts: 1 });
    type Event = { eventSource?: string; readOnly?: boolean; userAgent?: string; sourceIPAddress?: string; requestParameters?: Record<string, unknown>; responseElements?: unknown };
    try {
      const eventsOf = async (name: string): Promise<Event[]> => {
        const found = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: name }], MaxResults: 50 }));
        return (found.Events ?? []).map((e) => JSON.parse(e.CloudTrailEvent ?? "{}") as Event);
      };
      // This test's events, whatever the order of those within one second.
      const eventOf = async (name: string, match: (e: Event) => boolean): Promise<Event> => (await eventsOf(name)).find(match) ?? {};
      const mine = (e: Event): boolean => e.requestParameters?.secretId === "audited" || e.requestParameters?.name === "audited";
      const byAppRunner = await eventOf("GetSecretValue", (e) => mine(e) && e.userAgent === "apprunner.amazonaws.com");
      const get = await eventOf("GetSecretValue", (e) => mine(e) && e.userAgent !== "apprunner.amazonaws.com");
      assert.equal(byAppRunner.sourceIPAddress, "apprunner.amazonaws.com");
      assert.deepEqual(byAppRunner.requestParameters, { secretId: "audited", versionStage: "AWSPREVIOUS" });
      assert.equal(byAppRunner.responseElements, null);
      assert.equal(get.eventSource, "secretsmanager.amazonaws.com");
      assert.equal(get.readOnly, true);
      assert.equal(get.requestParameters?.secretId, "audited");
      assert.equal(get.responseElements, null);
      const put = await eventOf("PutSecretValue", mine);
      assert.equal(put.requestParameters?.secretString, "HIDDEN_DUE_TO_SECURITY_REASONS");
      const create = await eventOf("CreateSecret", mine);
      assert.equal(create.requestParameters?.secretString, "HIDDEN_DUE_TO_SECURITY_REASONS");
    } finally {
      trail.destroy();
    }
    const files = readdirSync(dataDir, { recursive: true, encoding: "utf8" }).map((f) => join(dataDir, f));
    const holding = files.filter((f) => existsSync(f) && statSync(f).isFile() && readFileSync(f).toString("latin1").includes(value));
    assert.deepEqual(holding, [], "files holding the value in clear");
  });

  it("the AWS CLI v2: create-secret, get-secret-value, put-secret-value, list-secrets --filters", { skip: existsSync(AWS_CLI) ? false : `${AWS_CLI} is not installed` }, async () => {
    const cli = async (...args: string[]): Promise<Record<string, unknown>> => {
      const r = await runAwsCli(["secretsmanager", ...args, "--profile", "openrunner", "--endpoint-url", server.running.endpoint, "--output", "json"], awsCliEnv(server.running.files));
      assert.equal(r.code, 0, `aws secretsmanager ${args.join(" ")}: ${r.stderr}`);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const created = await cli("create-secret", "--name", "cli/token", "--secret-string", '{"user":"app","password":"p"}', "--tags", "Key=via,Value=cli");
    assert.match(String(created.ARN), ARN_OF("cli/token"));
    await cli("put-secret-value", "--secret-id", "cli/token", "--secret-string", '{"user":"app","password":"q"}');
    const got = await cli("get-secret-value", "--secret-id", String(created.ARN), "--version-stage", "AWSPREVIOUS");
    assert.equal(got.SecretString, '{"user":"app","password":"p"}');
    const listed = await cli("list-secrets", "--filters", "Key=tag-value,Values=cli");
    assert.deepEqual(
      (listed.SecretList as { Name: string }[]).map((s) => s.Name),
      ["cli/token"],
    );
  });

  it("the purge removes a secret once its recovery window has passed, through its own timer", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: "purged", SecretString: "p", Tags: [{ Key: "k", Value: "v" }] }));
    await sm.send(new DeleteSecretCommand({ SecretId: "purged", RecoveryWindowInDays: 7 }));
    const { store } = server.running;
    const rows = (): number => (store.db.prepare(`SELECT COUNT(*) AS n FROM sm_secrets WHERE arn = ?`).get(created.ARN) as { n: number }).n;
    assert.equal(rows(), 1);
    // Nothing is signed while the server's clock is a week ahead: SigV4 would refuse the skew.
    offsetMs = 7 * DAY + 60_000;
    try {
      await eventually(async () => (rows() === 0 ? true : undefined), 10_000, 50);
    } finally {
      offsetMs = 0;
    }
    assert.equal(store.tags.count(created.ARN ?? ""), 0, "its tags went with it");
    assert.equal((store.db.prepare(`SELECT COUNT(*) AS n FROM sm_secret_versions WHERE secret_arn = ?`).get(created.ARN) as { n: number }).n, 0);
    await assert.rejects(sm.send(new DescribeSecretCommand({ SecretId: "purged" })), { name: "ResourceNotFoundException" });
  });
});
