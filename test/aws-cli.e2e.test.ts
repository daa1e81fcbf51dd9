import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";
import { AWS_CLI, AWS_CLI_V1, awsCliEnv, runAwsCli, type CliResult } from "./support/aws-cli.js";

/** Debian's AWS CLI v2 package; the pyenv shim earlier on PATH is a different (v1) CLI. */
const AWS = "/usr/bin/aws";


describe("the AWS CLI v2 against OpenRunner", { skip: existsSync(AWS) ? false : `${AWS} is not installed` }, () => {
  let server: InProcessServer;
  const driver = new ScriptedRuntimeDriver();

  const run = runAwsCli;

  /** `aws apprunner ...` with only the server's own credential and config files, as its banner says. */
  function aws(...args: string[]): Promise<CliResult> {
    const env = awsCliEnv(server.running.files);
    return run(["apprunner", ...args, "--endpoint-url", server.running.endpoint, "--profile", "openrunner", "--output", "json"], env);
  }

  async function json(...args: string[]): Promise<Record<string, unknown>> {
    const r = await aws(...args);
    assert.equal(r.code, 0, `aws ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
    return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
  }

  const serviceOf = (out: Record<string, unknown>): Record<string, unknown> => out.Service as Record<string, unknown>;

  before(async () => {
    server = await startInProcess({ driver });
  });
  after(async () => server.close());

  it("creates, describes, lists, tags and deletes a service", async () => {
    const source = JSON.stringify({ ImageRepository: { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" } });
    const created = await json(
      "create-service",
      "--service-name",
      "cli-service",
      "--source-configuration",
      source,
      "--instance-configuration",
      "Cpu=1 vCPU,Memory=2 GB",
      "--tags",
      "Key=env,Value=dev",
    );
    const arn = String(serviceOf(created).ServiceArn);
    assert.match(arn, /^arn:aws:apprunner:us-east-1:\d{12}:service\/cli-service\/[0-9a-f]{32}$/);
    assert.match(String(created.OperationId), /^[0-9a-f-]{36}$/);
    assert.equal(serviceOf(created).Status, "OPERATION_IN_PROGRESS");

    const running = await eventually(async () => {
      const s = serviceOf(await json("describe-service", "--service-arn", arn));
      return s.Status === "RUNNING" ? s : undefined;
    });
    assert.deepEqual(running.InstanceConfiguration, { Cpu: "1024", Memory: "2048" });
    assert.equal(typeof running.CreatedAt, "string", "the CLI renders the epoch timestamp as a date");

    const listed = await json("list-services");
    const summaries = listed.ServiceSummaryList as { ServiceArn: string; Status: string }[];
    assert.deepEqual(
      summaries.map((s) => [s.ServiceArn, s.Status]),
      [[arn, "RUNNING"]],
    );

    await json("tag-resource", "--resource-arn", arn, "--tags", "Key=team,Value=web");
    const tags = await json("list-tags-for-resource", "--resource-arn", arn);
    assert.deepEqual(tags.Tags, [
      { Key: "env", Value: "dev" },
      { Key: "team", Value: "web" },
    ]);

    const deleted = await json("delete-service", "--service-arn", arn);
    assert.match(String(deleted.OperationId), /^[0-9a-f-]{36}$/);
    await eventually(async () => {
      const s = serviceOf(await json("describe-service", "--service-arn", arn));
      return s.Status === "DELETED" ? true : undefined;
    });
    assert.deepEqual((await json("list-services")).ServiceSummaryList, []);
  });

  it("shows a service error with its exception name and exit code 254", async () => {
    const r = await aws(
      "create-service",
      "--service-name",
      "bad name!",
      "--source-configuration",
      JSON.stringify({ ImageRepository: { ImageIdentifier: "nginx", ImageRepositoryType: "ECR_PUBLIC" } }),
    );
    assert.equal(r.code, 254, r.stderr);
    assert.match(r.stderr, /An error occurred \(InvalidRequestException\) when calling the CreateService operation: 1 validation error detected: Value 'bad name!' at 'serviceName'/);
    assert.equal(r.stdout, "");
  });

  it("shows ResourceNotFoundException for an unknown service", async () => {
    const r = await aws("describe-service", "--service-arn", `arn:aws:apprunner:us-east-1:${server.running.config.accountId}:service/ghost/${"0".repeat(32)}`);
    assert.equal(r.code, 254, r.stderr);
    assert.match(r.stderr, /\(ResourceNotFoundException\) when calling the DescribeService operation: Service not found/);
  });

  it("refuses keys signed with the wrong secret: InvalidSignatureException", async () => {
    const env = awsCliEnv(
      { credentials: "/dev/null", config: "/dev/null" },
      {
        AWS_ACCESS_KEY_ID: server.running.rootKey.accessKeyId,
        AWS_SECRET_ACCESS_KEY: "wrong-secret-wrong-secret-wrong-secret00",
        AWS_DEFAULT_REGION: "us-east-1",
      },
    );
    const r = await run(["apprunner", "list-services", "--endpoint-url", server.running.endpoint], env);
    assert.equal(r.code, 254, r.stderr);
    assert.match(r.stderr, /\(InvalidSignatureException\) when calling the ListServices operation/);
  });
});

/*
 * App Runner sends auto scaling configuration and custom domain statuses in lower case, unlike
 * its model; scripts compare with those strings (`--query`), so both CLIs must show them as the
 * service sends them. Neither CLI validates response enums.
 */
for (const [label, binary] of [
  ["v1", AWS_CLI_V1],
  ["v2", AWS_CLI],
] as const) {
  describe(`the AWS CLI ${label}: the caller identity, and statuses in App Runner's case`, { skip: existsSync(binary) ? false : `${binary} is not installed` }, () => {
    let server: InProcessServer;

    async function cli(service: string, ...args: string[]): Promise<Record<string, unknown>> {
      const argv = [service, ...args, "--endpoint-url", server.running.endpoint, "--profile", "openrunner", "--output", "json"];
      const r = await runAwsCli(argv, awsCliEnv(server.running.files), 60_000, binary);
      assert.equal(r.code, 0, `aws ${service} ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
      return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : {};
    }
    const json = (...args: string[]): Promise<Record<string, unknown>> => cli("apprunner", ...args);
    const field = (out: Record<string, unknown>, member: string): Record<string, unknown> => out[member] as Record<string, unknown>;

    before(async () => {
      server = await startInProcess({ driver: new ScriptedRuntimeDriver() });
    });
    after(async () => server.close());

    it("sts get-caller-identity names the account's root (what Terraform's AWS provider asks first)", async () => {
      const { accountId } = server.running.config;
      assert.deepEqual(await cli("sts", "get-caller-identity"), { UserId: accountId, Account: accountId, Arn: `arn:aws:iam::${accountId}:root` });
      // The audit trail has it, as CloudTrail does.
      const trail = await eventually(async () => {
        const out = await cli("cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=GetCallerIdentity");
        const events = out.Events as { EventSource: string; ReadOnly: string }[];
        return events.length > 0 ? events : undefined;
      });
      assert.deepEqual(
        trail.map((e) => [e.EventSource, e.ReadOnly]),
        [["sts.amazonaws.com", "true"]],
      );
      // A wrong secret is refused in STS's words.
      const env = awsCliEnv(
        { credentials: "/dev/null", config: "/dev/null" },
        { AWS_ACCESS_KEY_ID: server.running.rootKey.accessKeyId, AWS_SECRET_ACCESS_KEY: "wrong-secret-wrong-secret-wrong-secret00", AWS_DEFAULT_REGION: "us-east-1" },
      );
      const refused = await runAwsCli(["sts", "get-caller-identity", "--endpoint-url", server.running.endpoint], env, 60_000, binary);
      assert.equal(refused.code, label === "v1" ? 255 : 254, refused.stderr);
      assert.match(refused.stderr, /\(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation/);
    });

    it("auto scaling configurations: active, inactive", async () => {
      const created = field(await json("create-auto-scaling-configuration", "--auto-scaling-configuration-name", `cli-${label}`, "--max-size", "3"), "AutoScalingConfiguration");
      assert.equal(created.Status, "active");
      const arn = String(created.AutoScalingConfigurationArn);
      // (CLI v2.9's model predates the summaries' Status, so it drops it from list output; describe has it in both.)
      const described = await json("describe-auto-scaling-configuration", "--auto-scaling-configuration-arn", arn, "--query", "AutoScalingConfiguration.Status");
      assert.equal(described as unknown, "active");
      const deleted = field(await json("delete-auto-scaling-configuration", "--auto-scaling-configuration-arn", arn), "AutoScalingConfiguration");
      assert.equal(deleted.Status, "inactive");
      assert.equal(field(await json("describe-auto-scaling-configuration", "--auto-scaling-configuration-arn", arn), "AutoScalingConfiguration").Status, "inactive");
    });

    it("custom domains: pending_certificate_dns_validation, deleting", async () => {
      const source = JSON.stringify({ ImageRepository: { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" } });
      const arn = String(field(await json("create-service", "--service-name", `domains-${label}`, "--source-configuration", source), "Service").ServiceArn);
      await eventually(async () => (field(await json("describe-service", "--service-arn", arn), "Service").Status === "RUNNING" ? true : undefined));
      const associated = await json("associate-custom-domain", "--service-arn", arn, "--domain-name", `${label}.example.com`);
      const domain = field(associated, "CustomDomain");
      assert.equal(domain.Status, "pending_certificate_dns_validation");
      const records = domain.CertificateValidationRecords as { Status: string }[];
      assert.deepEqual(records.map((r) => r.Status), ["PENDING_VALIDATION", "PENDING_VALIDATION"], "the records' statuses stay upper case, as App Runner sends them");
      const described = await json("describe-custom-domains", "--service-arn", arn, "--query", "CustomDomains[].Status");
      assert.deepEqual(described, ["pending_certificate_dns_validation"] as unknown);
      const gone = field(await json("disassociate-custom-domain", "--service-arn", arn, "--domain-name", `${label}.example.com`), "CustomDomain");
      assert.equal(gone.Status, "deleting");
    });
  });
}
