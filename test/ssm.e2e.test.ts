import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
  UnlabelParameterVersionCommand,
} from "@aws-sdk/client-ssm";
import { awsCliEnv, runAwsCli } from "./support/aws-cli.js";
import { startInProcess, type Credentials, type InProcessServer } from "./support/harness.js";
import { KeyServiceSpy, TestKeys } from "./support/test-keys.js";
import { createAuthorizer } from "../src/iam/authorizer.js";
import { storeIdentityPolicies } from "../src/store/iam/identity-policies.js";

/** Rejects with the AWS error name (and message) the SDK parsed. */
async function refused(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

const SECRET = "s3cr3t-db-password-7f1c";
const PLAIN = "plain-config-value-93ab";

describe("SSM Parameter Store through @aws-sdk/client-ssm and the AWS CLI v2", () => {
  let server: InProcessServer;
  let ssm: SSMClient;
  let account: string;
  const keys = new TestKeys();
  const kms = new KeyServiceSpy(keys.service);
  const clientWith = (credentials: Credentials): SSMClient => new SSMClient({ endpoint: server.running.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

  before(async () => {
    server = await startInProcess({ keys: kms });
    const { config, store } = server.running;
    account = config.accountId;
    keys.place.accountId = config.accountId;
    keys.place.region = config.region;
    // KMS decides a caller's use of a customer managed key with the caller's IAM policies (the key's default policy delegates to them).
    keys.authorizer = createAuthorizer({ policies: storeIdentityPolicies(store.iam), resourceTags: (arn) => store.tags.record(arn), accountId: config.accountId, region: config.region });
    ssm = clientWith(server.running.rootKey);
  });
  after(async () => {
    ssm.destroy();
    await server.close();
  });

  it("String and StringList: version 1, AWS's ARN, a single name the same with or without its leading slash", async () => {
    const put = await ssm.send(new PutParameterCommand({ Name: "/single", Value: PLAIN, Type: "String", Description: "one" }));
    assert.deepEqual([put.Version, put.Tier], [1, "Standard"]);
    const got = (await ssm.send(new GetParameterCommand({ Name: "single" }))).Parameter;
    assert.equal(got?.Name, "single");
    assert.equal(got?.Value, PLAIN);
    assert.equal(got?.ARN, `arn:aws:ssm:us-east-1:${account}:parameter/single`);
    assert.equal(got?.DataType, "text");
    assert.ok(got?.LastModifiedDate instanceof Date);
    await ssm.send(new PutParameterCommand({ Name: "/app/list", Value: "a,b,c", Type: "StringList" }));
    const list = (await ssm.send(new GetParameterCommand({ Name: `arn:aws:ssm:us-east-1:${account}:parameter/app/list` }))).Parameter;
    assert.deepEqual([list?.Name, list?.Type, list?.Value], ["/app/list", "StringList", "a,b,c"]);
    await refused(ssm.send(new PutParameterCommand({ Name: "/app/list", Value: "x", Type: "StringList" })), "ParameterAlreadyExists", /set the overwrite option/);
    await refused(ssm.send(new PutParameterCommand({ Name: "untyped", Value: "x" })), "ValidationException", /A parameter type is required/);
    await refused(ssm.send(new GetParameterCommand({ Name: "/nope" })), "ParameterNotFound", /nope/);
  });

  it("AllowedPattern and Description carry over to the next version; a value that does not match is refused", async () => {
    await ssm.send(new PutParameterCommand({ Name: "/app/port", Value: "8080", Type: "String", AllowedPattern: "^\\d+$", Description: "the port" }));
    await refused(ssm.send(new PutParameterCommand({ Name: "/app/port", Value: "eighty", Overwrite: true })), "ParameterPatternMismatchException", /allowedPattern: \^\\d\+\$/);
    assert.equal((await ssm.send(new PutParameterCommand({ Name: "/app/port", Value: "81", Overwrite: true }))).Version, 2);
    const meta = (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: ["/app/port"] }] }))).Parameters?.[0];
    assert.deepEqual([meta?.Version, meta?.Type, meta?.AllowedPattern, meta?.Description, meta?.Tier, meta?.DataType], [2, "String", "^\\d+$", "the port", "Standard", "text"]);
    await refused(ssm.send(new PutParameterCommand({ Name: "/app/bad-pattern", Value: "x", Type: "String", AllowedPattern: "([" })), "InvalidAllowedPatternException");
    await refused(ssm.send(new PutParameterCommand({ Name: "/app/big", Value: "x".repeat(4097), Type: "String" })), "ValidationException", /Standard tier parameters support a maximum parameter value of 4096/);
  });

  it("names as AWS validates them: reserved prefixes, characters, a path without its slash, 15 levels", async () => {
    const put = (Name: string): Promise<unknown> => ssm.send(new PutParameterCommand({ Name, Value: "v", Type: "String" }));
    await refused(put("ssm-thing"), "ValidationException", /can't be prefixed with "aws" or "ssm"/);
    await refused(put("/aws/thing"), "AccessDeniedException", /No access to reserved parameter name/);
    await refused(put("has space"), "ValidationException", /sub-path can be formed/);
    await refused(put("a/b"), "ValidationException", /fully qualified/);
    await refused(put(`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join("/")}`), "HierarchyLevelLimitExceededException", /maximum of 15 levels/);
    assert.equal((await ssm.send(new PutParameterCommand({ Name: `/${Array.from({ length: 15 }, (_, i) => `l${i}`).join("/")}`, Value: "v", Type: "String" }))).Version, 1);
    await refused(put("x".repeat(2049)), "ValidationException", /at 'name' failed to satisfy constraint: Member must have length less than or equal to 2048/);
  });

  it("SecureString under aws/ssm: ciphertext without WithDecryption, the value with it, KeyId alias/aws/ssm", async () => {
    await ssm.send(new PutParameterCommand({ Name: "/app/db/password", Value: SECRET, Type: "SecureString" }));
    const hidden = (await ssm.send(new GetParameterCommand({ Name: "/app/db/password" }))).Parameter;
    assert.equal(hidden?.Type, "SecureString");
    assert.notEqual(hidden?.Value, SECRET);
    assert.match(hidden?.Value ?? "", /^[A-Za-z0-9+/]+=*$/, "base64 of the ciphertext");
    assert.ok(!Buffer.from(hidden?.Value ?? "", "base64").toString("latin1").includes(SECRET));
    const shown = (await ssm.send(new GetParameterCommand({ Name: "/app/db/password", WithDecryption: true }))).Parameter;
    assert.equal(shown?.Value, SECRET);
    const described = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: ["/app/db/password"] }] }));
    assert.equal(described.Parameters?.[0]?.KeyId, "alias/aws/ssm");
    assert.equal(described.Parameters?.[0]?.LastModifiedUser, `arn:aws:iam::${account}:root`);
  });

  it("SecureString under a customer managed key: the caller's kms permissions are asked; a disabled key is InvalidKeyId", async () => {
    const key = keys.createKey();
    await ssm.send(new PutParameterCommand({ Name: "/app/api-key", Value: SECRET, Type: "SecureString", KeyId: key.keyId }));
    assert.ok(kms.uses.some((u) => u.endsWith(`kms:GenerateDataKey ${key.arn}`)));
    assert.equal((await ssm.send(new GetParameterCommand({ Name: "/app/api-key", WithDecryption: true }))).Parameter?.Value, SECRET);
    assert.ok(kms.uses.some((u) => u.endsWith(`kms:Decrypt ${key.arn}`)));
    keys.setState(key.keyId, "Disabled");
    await refused(ssm.send(new GetParameterCommand({ Name: "/app/api-key", WithDecryption: true })), "InvalidKeyId", /disabled/);
    // Without decryption KMS is not asked: the ciphertext still reads.
    assert.ok((await ssm.send(new GetParameterCommand({ Name: "/app/api-key" }))).Parameter?.Value);
    keys.setState(key.keyId, "Enabled");
    await refused(ssm.send(new PutParameterCommand({ Name: "/app/other", Value: "v", Type: "SecureString", KeyId: "alias/none" })), "InvalidKeyId");
    await refused(ssm.send(new PutParameterCommand({ Name: "/app/other", Value: "v", Type: "String", KeyId: key.keyId })), "ValidationException", /KeyId/);
  });

  it("overwrite makes versions; the history has them all with their labels; name:version and name:label read one", async () => {
    for (const v of ["v1", "v2", "v3"]) await ssm.send(new PutParameterCommand({ Name: "/app/release", Value: v, Type: "String", Overwrite: true }));
    const labelled = await ssm.send(new LabelParameterVersionCommand({ Name: "/app/release", ParameterVersion: 1, Labels: ["prod", "1bad", "awsy", "stable"] }));
    assert.deepEqual(labelled.InvalidLabels?.sort(), ["1bad", "awsy"]);
    assert.equal(labelled.ParameterVersion, 1);
    const byLabel = (await ssm.send(new GetParameterCommand({ Name: "/app/release:prod" }))).Parameter;
    assert.deepEqual([byLabel?.Value, byLabel?.Version, byLabel?.Selector], ["v1", 1, ":prod"]);
    const byVersion = (await ssm.send(new GetParameterCommand({ Name: "/app/release:2" }))).Parameter;
    assert.deepEqual([byVersion?.Value, byVersion?.Selector], ["v2", ":2"]);
    // Labelling another version moves the label.
    await ssm.send(new LabelParameterVersionCommand({ Name: "/app/release", ParameterVersion: 3, Labels: ["prod"] }));
    const history = await ssm.send(new GetParameterHistoryCommand({ Name: "/app/release" }));
    assert.deepEqual(
      history.Parameters?.map((p) => [p.Version, p.Value, p.Labels]),
      [
        [1, "v1", ["stable"]],
        [2, "v2", []],
        [3, "v3", ["prod"]],
      ],
    );
    const paged = await ssm.send(new GetParameterHistoryCommand({ Name: "/app/release", MaxResults: 2 }));
    assert.equal(paged.Parameters?.length, 2);
    const rest = await ssm.send(new GetParameterHistoryCommand({ Name: "/app/release", MaxResults: 2, NextToken: paged.NextToken }));
    assert.deepEqual(rest.Parameters?.map((p) => p.Version), [3]);
    await refused(ssm.send(new GetParameterCommand({ Name: "/app/release:9" })), "ParameterVersionNotFound", /version 9/);
    await refused(ssm.send(new LabelParameterVersionCommand({ Name: "/app/release", ParameterVersion: 9, Labels: ["x"] })), "ParameterVersionNotFound");
    await refused(
      ssm.send(new LabelParameterVersionCommand({ Name: "/app/release", ParameterVersion: 2, Labels: Array.from({ length: 10 }, (_, i) => `l${i}`) })).then(() =>
        ssm.send(new LabelParameterVersionCommand({ Name: "/app/release", ParameterVersion: 2, Labels: ["eleventh"] })),
      ),
      "ParameterVersionLabelLimitExceeded",
    );
    const unlabelled = await ssm.send(new UnlabelParameterVersionCommand({ Name: "/app/release", ParameterVersion: 3, Labels: ["prod", "stable"] }));
    assert.deepEqual([unlabelled.RemovedLabels, unlabelled.InvalidLabels], [["prod"], ["stable"]]);
    const got = await ssm.send(new GetParametersCommand({ Names: ["/app/release:prod", "/app/release:stable", "/app/release", "/missing"] }));
    assert.deepEqual(got.Parameters?.map((p) => [p.Name, p.Value]), [
      ["/app/release", "v1"],
      ["/app/release", "v3"],
    ]);
    assert.deepEqual(got.InvalidParameters, ["/app/release:prod", "/missing"]);
  });

  it("100 versions are kept; the oldest goes unless it is labelled (ParameterMaxVersionLimitExceeded)", async () => {
    for (let v = 1; v <= 100; v++) await ssm.send(new PutParameterCommand({ Name: "many", Value: `v${v}`, Type: "String", Overwrite: true }));
    await ssm.send(new LabelParameterVersionCommand({ Name: "many", ParameterVersion: 1, Labels: ["first"] }));
    await refused(ssm.send(new PutParameterCommand({ Name: "many", Value: "v101", Type: "String", Overwrite: true })), "ParameterMaxVersionLimitExceeded", /Version 1, the oldest version/);
    await ssm.send(new UnlabelParameterVersionCommand({ Name: "many", ParameterVersion: 1, Labels: ["first"] }));
    assert.equal((await ssm.send(new PutParameterCommand({ Name: "many", Value: "v101", Type: "String", Overwrite: true }))).Version, 101);
    await refused(ssm.send(new GetParameterCommand({ Name: "many:1" })), "ParameterVersionNotFound");
    assert.equal((await ssm.send(new GetParameterCommand({ Name: "many:2" }))).Parameter?.Value, "v2");
  });

  it("GetParametersByPath: one level or recursive, decrypted, filtered, paged", async () => {
    for (const [Name, Type, Value] of [
      ["/svc/a", "String", "1"],
      ["/svc/b", "SecureString", SECRET],
      ["/svc/deep/c", "String", "3"],
      ["/svc/deep/d", "SecureString", "4"],
    ] as const) {
      await ssm.send(new PutParameterCommand({ Name, Type, Value }));
    }
    const oneLevel = await ssm.send(new GetParametersByPathCommand({ Path: "/svc" }));
    assert.deepEqual(oneLevel.Parameters?.map((p) => p.Name), ["/svc/a", "/svc/b"]);
    assert.notEqual(oneLevel.Parameters?.[1]?.Value, SECRET);
    const names: [string | undefined, string | undefined][] = [];
    let token: string | undefined;
    do {
      const page = await ssm.send(new GetParametersByPathCommand({ Path: "/svc/", Recursive: true, WithDecryption: true, MaxResults: 3, NextToken: token }));
      assert.ok((page.Parameters?.length ?? 0) <= 3);
      names.push(...(page.Parameters ?? []).map((p): [string | undefined, string | undefined] => [p.Name, p.Value]));
      token = page.NextToken;
    } while (token);
    assert.deepEqual(names, [
      ["/svc/a", "1"],
      ["/svc/b", SECRET],
      ["/svc/deep/c", "3"],
      ["/svc/deep/d", "4"],
    ]);
    const secure = await ssm.send(new GetParametersByPathCommand({ Path: "/svc", Recursive: true, ParameterFilters: [{ Key: "Type", Values: ["SecureString"] }] }));
    assert.deepEqual(secure.Parameters?.map((p) => p.Name), ["/svc/b", "/svc/deep/d"]);
    await refused(ssm.send(new GetParametersByPathCommand({ Path: "/svc", ParameterFilters: [{ Key: "Name", Values: ["x"] }] })), "InvalidFilterKey");
    await refused(ssm.send(new GetParametersByPathCommand({ Path: "svc" })), "ValidationException", /must begin with a forward slash/);
    await refused(ssm.send(new GetParametersByPathCommand({ Path: "/svc", NextToken: "garbage" })), "InvalidNextToken");
  });

  it("DescribeParameters: Name BeginsWith/Equals, Type, KeyId, Path, the older Filters, paging", async () => {
    const names = async (input: ConstructorParameters<typeof DescribeParametersCommand>[0]): Promise<string[]> => {
      const out: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await ssm.send(new DescribeParametersCommand({ ...input, MaxResults: 2, NextToken }));
        out.push(...(page.Parameters ?? []).map((p) => p.Name ?? ""));
        NextToken = page.NextToken;
      } while (NextToken);
      return out;
    };
    assert.deepEqual(await names({ ParameterFilters: [{ Key: "Name", Option: "BeginsWith", Values: ["/svc/deep"] }] }), ["/svc/deep/c", "/svc/deep/d"]);
    assert.deepEqual(await names({ ParameterFilters: [{ Key: "Name", Values: ["/svc/a"] }] }), ["/svc/a"]);
    assert.deepEqual(await names({ ParameterFilters: [{ Key: "Path", Values: ["/svc"] }, { Key: "Type", Values: ["SecureString"] }] }), ["/svc/b"]);
    assert.deepEqual(await names({ ParameterFilters: [{ Key: "Path", Option: "Recursive", Values: ["/svc"] }, { Key: "KeyId", Values: ["alias/aws/ssm"] }] }), ["/svc/b", "/svc/deep/d"]);
    assert.deepEqual(await names({ Filters: [{ Key: "Name", Values: ["/svc/deep/"] }] }), ["/svc/deep/c", "/svc/deep/d"]);
    await refused(ssm.send(new DescribeParametersCommand({ Filters: [{ Key: "Type", Values: ["String"] }], ParameterFilters: [{ Key: "Type", Values: ["String"] }] })), "ValidationException", /either Filters or ParameterFilters/);
    await refused(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Type", Values: ["Secret"] }] })), "InvalidFilterValue");
    await refused(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Type", Option: "Contains", Values: ["String"] }] })), "InvalidFilterOption");
    await refused(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Label", Values: ["x"] }] })), "InvalidFilterKey");
  });

  it("tags on a parameter: on create (not with Overwrite), added, listed, removed, gone with the parameter", async () => {
    await ssm.send(new PutParameterCommand({ Name: "/tagged", Value: "v", Type: "String", Tags: [{ Key: "team", Value: "web" }] }));
    await refused(ssm.send(new PutParameterCommand({ Name: "/tagged", Value: "v", Type: "String", Overwrite: true, Tags: [{ Key: "a", Value: "b" }] })), "ValidationException", /tags and overwrite can't be used together/);
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: "Parameter", ResourceId: "/tagged", Tags: [{ Key: "env", Value: "prod" }] }));
    const listed = await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/tagged" }));
    assert.deepEqual(listed.TagList, [
      { Key: "env", Value: "prod" },
      { Key: "team", Value: "web" },
    ]);
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: "Parameter", ResourceId: "/tagged", TagKeys: ["team"] }));
    assert.deepEqual((await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/tagged" }))).TagList, [{ Key: "env", Value: "prod" }]);
    await refused(ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/nothing" })), "InvalidResourceId");
    await refused(ssm.send(new ListTagsForResourceCommand({ ResourceType: "Document", ResourceId: "/tagged" })), "InvalidResourceType");
    await ssm.send(new DeleteParameterCommand({ Name: "/tagged" }));
    await ssm.send(new PutParameterCommand({ Name: "/tagged", Value: "v", Type: "String" }));
    assert.deepEqual((await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/tagged" }))).TagList, []);
  });

  it("DeleteParameter and DeleteParameters (InvalidParameters for the names that are not there)", async () => {
    await ssm.send(new PutParameterCommand({ Name: "/del/a", Value: "1", Type: "String" }));
    await ssm.send(new PutParameterCommand({ Name: "/del/b", Value: "2", Type: "String" }));
    await ssm.send(new DeleteParameterCommand({ Name: "/del/a" }));
    await refused(ssm.send(new DeleteParameterCommand({ Name: "/del/a" })), "ParameterNotFound");
    const out = await ssm.send(new DeleteParametersCommand({ Names: ["/del/b", "/del/a"] }));
    assert.deepEqual([out.DeletedParameters, out.InvalidParameters], [["/del/b"], ["/del/a"]]);
    assert.deepEqual((await ssm.send(new GetParametersByPathCommand({ Path: "/del" }))).Parameters, []);
  });

  it("an IAM user gets only what its policy allows: ssm:GetParameter on its own path, kms refused on a customer key", async () => {
    const iam = new IAMClient({ endpoint: server.running.endpoint, region: "us-east-1", credentials: server.running.rootKey, maxAttempts: 1 });
    try {
      await iam.send(new CreateUserCommand({ UserName: "reader" }));
      const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ssm:GetParameter", "ssm:PutParameter"], Resource: `arn:aws:ssm:us-east-1:${account}:parameter/app/*` }] };
      await iam.send(new PutUserPolicyCommand({ UserName: "reader", PolicyName: "app", PolicyDocument: JSON.stringify(policy) }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "reader" }))).AccessKey;
      const reader = clientWith({ accessKeyId: key?.AccessKeyId ?? "", secretAccessKey: key?.SecretAccessKey ?? "" });
      try {
        assert.equal((await reader.send(new GetParameterCommand({ Name: "/app/db/password", WithDecryption: true }))).Parameter?.Value, SECRET);
        await refused(
          reader.send(new GetParameterCommand({ Name: "/svc/a" })),
          "AccessDeniedException",
          new RegExp(`not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-east-1:${account}:parameter/svc/a`),
        );
        await refused(reader.send(new DescribeParametersCommand({})), "AccessDeniedException");
        // Its policy grants no kms action: KMS refuses its use of the customer managed key.
        await refused(reader.send(new GetParameterCommand({ Name: "/app/api-key", WithDecryption: true })), "AccessDeniedException", /kms:Decrypt/);
        await refused(reader.send(new PutParameterCommand({ Name: "/app/mine", Value: "x", Type: "SecureString", KeyId: (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: ["/app/api-key"] }] }))).Parameters?.[0]?.KeyId })), "AccessDeniedException", /kms:GenerateDataKey/);
        // The AWS managed key needs no kms permission of the caller.
        assert.equal((await reader.send(new PutParameterCommand({ Name: "/app/mine", Value: "x", Type: "SecureString" }))).Version, 1);
      } finally {
        reader.destroy();
      }
    } finally {
      iam.destroy();
    }
  });

  it("the AWS CLI v2: put-parameter, get-parameter --with-decryption, get-parameters-by-path --recursive", async () => {
    const env = awsCliEnv(server.running.files);
    const cli = (...argv: string[]): ReturnType<typeof runAwsCli> => runAwsCli(["--profile", "openrunner", "--endpoint-url", server.running.endpoint, "--output", "json", "ssm", ...argv], env);
    const put = await cli("put-parameter", "--name", "/cli/token", "--type", "SecureString", "--value", SECRET);
    assert.equal(put.code, 0, put.stderr);
    assert.equal((JSON.parse(put.stdout) as { Version: number }).Version, 1);
    const got = await cli("get-parameter", "--name", "/cli/token", "--with-decryption", "--query", "Parameter.Value", "--output", "text");
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout.trim(), SECRET);
    const byPath = await cli("get-parameters-by-path", "--path", "/svc", "--recursive", "--query", "Parameters[].Name");
    assert.equal(byPath.code, 0, byPath.stderr);
    assert.deepEqual(JSON.parse(byPath.stdout), ["/svc/a", "/svc/b", "/svc/deep/c", "/svc/deep/d"]);
    const missing = await cli("get-parameter", "--name", "/cli/none");
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ParameterNotFound/);
  });

  it("no value in clear where it should not be: the audit trail hides them, the databases hold none", async () => {
    const trail = new CloudTrailClient({ endpoint: server.running.endpoint, region: "us-east-1", credentials: server.running.rootKey, maxAttempts: 1 });
    try {
      const events: { eventSource?: string; requestParameters?: { name?: string; value?: string } }[] = [];
      let NextToken: string | undefined;
      do {
        const found = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "PutParameter" }], MaxResults: 50, NextToken }));
        events.push(...(found.Events ?? []).map((e) => JSON.parse(e.CloudTrailEvent ?? "{}") as (typeof events)[number]));
        NextToken = found.NextToken;
      } while (NextToken);
      const secure = events.find((e) => e.requestParameters?.name === "/app/db/password");
      assert.equal(secure?.eventSource, "ssm.amazonaws.com");
      assert.equal(secure?.requestParameters?.value, "HIDDEN_DUE_TO_SECURITY_REASONS");
    } finally {
      trail.destroy();
    }
    const dir = server.running.dataDir;
    const bytes = ["trail.db", "trail.db-wal", "openrunner.db", "openrunner.db-wal"]
      .map((f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f)).toString("latin1") : ""))
      .join("");
    assert.ok(bytes.includes("/app/db/password"), "the parameter's name is there");
    assert.ok(!bytes.includes(SECRET), "a SecureString value is in clear on disk");
    assert.ok(!bytes.includes(PLAIN), "a String value is in clear on disk");
  });
});
