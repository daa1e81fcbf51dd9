/**
 * Secrets reach the app as App Runner hands them over, end to end with the real Secrets Manager
 * and Parameter Store of the server and the AWS SDK: a secret, one JSON key of a secret and a
 * SecureString parameter (by name and by ARN), referenced from RuntimeEnvironmentSecrets and
 * from an apprunner.yaml's run.secrets, read by real runc instances as environment variables.
 * An instance role without secretsmanager:GetSecretValue fails the deployment with a message
 * naming the secret while the old version keeps serving; PutSecretValue then StartDeployment
 * reaches the app. DescribeService shows the references only, and no value is in a log.
 *
 * The roles are real IAM roles (trusting tasks.apprunner.amazonaws.com) made through the IAM API.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateServiceCommand,
  DescribeServiceCommand,
  StartDeploymentCommand,
  UpdateServiceCommand,
  type AppRunnerClient,
  type Service,
} from "@aws-sdk/client-apprunner";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { deploymentStream, serviceLogGroup } from "../src/telemetry/log-groups.js";
import { codeServiceInput, makeRepo, removeRepo, type TestRepo } from "./support/git-server.js";
import { startInProcess, type InProcessServer } from "./support/harness.js";
import { createInstanceRole } from "./support/instance-role.js";
import { buildAndPushImage } from "./support/oci-image.js";
import { TEST_RUNTIMES_DIR } from "./support/python-hello.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort, viaRouter } from "./support/router-client.js";
import { testRuntimeSettings, waitForOperation, waitForStatus } from "./support/runtime-fixture.js";

const READS_ALL = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "ssm:GetParameters", "ssm:GetParameter", "kms:Decrypt"], Resource: "*" }],
});
const PARAMETERS_ONLY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ssm:GetParameters", "ssm:GetParameter", "kms:Decrypt"], Resource: "*" }] });

/** Values unusual enough that a search finds every copy. */
const TOKEN_V1 = "token-v1-Kd83LqZx";
const TOKEN_V2 = "token-v2-Rm2TqWv";
const DB_USER = "db-user-7HqPw";
const DB_PASSWORD = "db-pass-Xs9dKe";
const FLAG = "flag-param-Zz41Pw";
const NAMES = ["TOKEN", "DB_USER", "FLAG", "FLAG_ARN"] as const;

/** A busybox web app: `/cgi-bin/secrets` prints NAME=value for each variable of NAMES. */
function pushSecretsApp(registry: string): Promise<string> {
  const lines = NAMES.map((n) => `echo "${n}=$${n}"`).join("\n");
  return buildAndPushImage(registry, "secrets-app", "v1", {
    busybox: true,
    files: { "/www/index.html": "ok\n", "/www/cgi-bin/secrets": { content: `#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n${lines}\n`, mode: 0o755 } },
    cmd: ["/bin/sh", "-c", 'exec busybox httpd -f -p "$PORT" -h /www'],
    exposedPorts: [8080],
  }).then((pushed) => `${registry}/secrets-app@${pushed.digest}`);
}

/** python-hello's server, answering with the variables of NAMES (the apprunner.yaml service). */
const PYTHON_SECRETS_APP: Record<string, string> = {
  "requirements.txt": "",
  "server.py": [
    "import os",
    "from http.server import BaseHTTPRequestHandler, HTTPServer",
    "class App(BaseHTTPRequestHandler):",
    "    def do_GET(self):",
    `        body = ''.join(f'{n}={os.environ.get(n, "")}\\n' for n in ${JSON.stringify(["DB_USER", "DB_PASSWORD", "FLAG"])}).encode()`,
    "        self.send_response(200)",
    "        self.send_header('Content-Length', str(len(body)))",
    "        self.end_headers()",
    "        self.wfile.write(body)",
    "HTTPServer(('0.0.0.0', int(os.environ['PORT'])), App).serve_forever()",
    "",
  ].join("\n"),
};

describe("secrets in a service: Secrets Manager and Parameter Store values reach the instances", { timeout: 10 * 60_000 }, () => {
  let server: InProcessServer;
  let registry: TestRegistry;
  let repo: TestRepo | undefined;
  let httpPort = 0;
  let image = "";
  let client: AppRunnerClient;
  let secrets: SecretsManagerClient;
  let ssm: SSMClient;
  let logs: CloudWatchLogsClient;
  const arns = { token: "", db: "", flag: "" };
  const roleArn = (name: string): string => `arn:aws:iam::${server.running.config.accountId}:role/${name}`;

  before(async () => {
    registry = await startRegistry();
    httpPort = await freePort();
    server = await startInProcess({ localRuntime: testRuntimeSettings(httpPort, { runtimesDir: TEST_RUNTIMES_DIR }) });
    client = server.client;
    const aws = { endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey, maxAttempts: 1 };
    secrets = new SecretsManagerClient(aws);
    ssm = new SSMClient(aws);
    logs = new CloudWatchLogsClient(aws);
    for (const [name, policy] of [["secrets-reader", READS_ALL], ["parameters-only", PARAMETERS_ONLY]] as const) {
      await createInstanceRole(server.running, name, "reads", policy, server.running.config.region);
    }
    arns.token = (await secrets.send(new CreateSecretCommand({ Name: "api-token", SecretString: TOKEN_V1 }))).ARN ?? "";
    arns.db = (await secrets.send(new CreateSecretCommand({ Name: "prod/db", SecretString: JSON.stringify({ username: DB_USER, password: DB_PASSWORD }) }))).ARN ?? "";
    await ssm.send(new PutParameterCommand({ Name: "/app/flag", Type: "SecureString", Value: FLAG }));
    arns.flag = `arn:aws:ssm:${server.running.config.region}:${server.running.config.accountId}:parameter/app/flag`;
    image = await pushSecretsApp(registry.host);
  });

  after(async () => {
    for (const c of [secrets, ssm, logs]) c?.destroy();
    if (repo) removeRepo(repo);
    await server?.close();
    await registry?.stop();
  });

  const references = (): Record<string, string> => ({
    TOKEN: arns.token,
    // App Runner's documented form: the secret's ARN, then :<json-key>:<version-stage>:<version-id>.
    DB_USER: `${arns.db}:username::`,
    FLAG: "/app/flag",
    FLAG_ARN: arns.flag,
  });

  const read = async (s: Service, path: string): Promise<string> => {
    const reply = await viaRouter({ port: httpPort, host: s.ServiceUrl ?? "", path, timeoutMs: 60_000 });
    assert.equal(reply.status, 200, reply.body);
    return reply.body;
  };

  const deploymentLog = async (s: Service, operationId: string): Promise<string[]> => {
    const out = await logs.send(new GetLogEventsCommand({ logGroupName: serviceLogGroup(s.ServiceName ?? "", s.ServiceId ?? ""), logStreamName: deploymentStream(operationId), startFromHead: true }));
    return (out.events ?? []).map((e) => e.message ?? "");
  };

  let api: Service | undefined;
  let apiOperation = "";

  it("RuntimeEnvironmentSecrets: a secret, a JSON key of a secret and a SecureString parameter by name and ARN become the instances' variables; DescribeService shows only the references", async () => {
    const created = await client.send(
      new CreateServiceCommand({
        ServiceName: "secrets-api",
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          ImageRepository: { ImageIdentifier: image, ImageRepositoryType: "ECR_PUBLIC", ImageConfiguration: { Port: "8080", RuntimeEnvironmentSecrets: references() } },
        },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB", InstanceRoleArn: roleArn("secrets-reader") },
      }),
    );
    apiOperation = created.OperationId ?? "";
    api = await waitForStatus(client, created.Service?.ServiceArn ?? "", "RUNNING", 180_000);
    assert.equal(await read(api, "/cgi-bin/secrets"), `TOKEN=${TOKEN_V1}\nDB_USER=${DB_USER}\nFLAG=${FLAG}\nFLAG_ARN=${FLAG}\n`);
    const described = (await client.send(new DescribeServiceCommand({ ServiceArn: api.ServiceArn }))).Service;
    assert.deepEqual(described?.SourceConfiguration?.ImageRepository?.ImageConfiguration?.RuntimeEnvironmentSecrets, references());
    const log = (await deploymentLog(api, apiOperation)).join("\n");
    assert.match(log, /Reading 4 secrets \(TOKEN, DB_USER, FLAG, FLAG_ARN\) with the instance role/);
    for (const value of [TOKEN_V1, DB_USER, DB_PASSWORD, FLAG]) assert.ok(!log.includes(value), `${value} in the deployment log`);
  });

  it("a reference App Runner cannot read is refused by CreateService, naming the variable", async () => {
    await assert.rejects(
      client.send(
        new CreateServiceCommand({
          ServiceName: "secrets-bad-ref",
          SourceConfiguration: {
            AutoDeploymentsEnabled: false,
            ImageRepository: { ImageIdentifier: image, ImageRepositoryType: "ECR_PUBLIC", ImageConfiguration: { RuntimeEnvironmentSecrets: { DB_USER: `${arns.db}:username` } } },
          },
        }),
      ),
      (err: Error) => err.name === "InvalidRequestException" && /DB_USER: the reference of DB_USER has 1 part/.test(err.message),
    );
  });

  it("an instance role without secretsmanager:GetSecretValue fails the deployment with a clear message while the old version serves", async () => {
    assert.ok(api);
    const updated = await client.send(new UpdateServiceCommand({ ServiceArn: api.ServiceArn, InstanceConfiguration: { InstanceRoleArn: roleArn("parameters-only") } }));
    const op = await waitForOperation(client, api.ServiceArn ?? "", updated.OperationId ?? "", 120_000);
    assert.equal(op.Status, "ROLLBACK_SUCCEEDED");
    const log = (await deploymentLog(api, updated.OperationId ?? "")).join("\n");
    assert.match(log, new RegExp(`Failure reason : The secret TOKEN \\(${arns.token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\) could not be read: User: arn:aws:sts::\\d+:assumed-role/\\S+ is not authorized to perform: secretsmanager:GetSecretValue`), "the reference named once, then the reason");
    const after = (await client.send(new DescribeServiceCommand({ ServiceArn: api.ServiceArn }))).Service;
    assert.equal(after?.Status, "RUNNING");
    assert.equal(after?.InstanceConfiguration?.InstanceRoleArn, roleArn("secrets-reader"), "the update's configuration is rolled back");
    assert.equal(await read(api, "/cgi-bin/secrets"), `TOKEN=${TOKEN_V1}\nDB_USER=${DB_USER}\nFLAG=${FLAG}\nFLAG_ARN=${FLAG}\n`, "the old version serves");
    // The audit trail shows the refused read as the instance role's session, as CloudTrail does on AWS.
    const trail = new CloudTrailClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey, maxAttempts: 1 });
    const events = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "GetSecretValue" }] }));
    const refused = (events.Events ?? []).map((e) => JSON.parse(e.CloudTrailEvent ?? "{}") as { errorCode?: string; userIdentity?: { type?: string; arn?: string } }).find((e) => e.errorCode === "AccessDenied");
    assert.equal(refused?.userIdentity?.type, "AssumedRole");
    assert.match(refused?.userIdentity?.arn ?? "", /:assumed-role\/parameters-only\//);
  });

  it("a secret rotated with PutSecretValue reaches the app at the next deployment", async () => {
    assert.ok(api);
    await secrets.send(new PutSecretValueCommand({ SecretId: arns.token, SecretString: TOKEN_V2 }));
    assert.match(await read(api, "/cgi-bin/secrets"), new RegExp(`^TOKEN=${TOKEN_V1}$`, "m"), "a running instance keeps what it was started with");
    const started = await client.send(new StartDeploymentCommand({ ServiceArn: api.ServiceArn }));
    const op = await waitForOperation(client, api.ServiceArn ?? "", started.OperationId ?? "", 120_000);
    assert.equal(op.Status, "SUCCEEDED");
    assert.match(await read(api, "/cgi-bin/secrets"), new RegExp(`^TOKEN=${TOKEN_V2}$`, "m"));
  });

  it("apprunner.yaml run.secrets: a JSON key of a secret, the whole of another and a parameter reach a service built from source", async () => {
    const yaml = [
      "version: 1.0",
      "runtime: python3",
      "build:",
      "  commands:",
      "    build:",
      "      - pip install -r requirements.txt",
      "run:",
      "  command: python3 server.py",
      "  network:",
      "    port: 8080",
      "  secrets:",
      "    - name: DB_USER",
      `      value-from: "${arns.db}:username::"`,
      "    - name: DB_PASSWORD",
      `      value-from: "${arns.db}:password::"`,
      "    - name: FLAG",
      "      value-from: /app/flag",
      "",
    ].join("\n");
    repo = makeRepo({ ...PYTHON_SECRETS_APP, "apprunner.yaml": yaml });
    const input = codeServiceInput("secrets-yaml", repo.dir);
    const created = await client.send(new CreateServiceCommand({ ...input, InstanceConfiguration: { ...input.InstanceConfiguration, InstanceRoleArn: roleArn("secrets-reader") } }));
    const s = await waitForStatus(client, created.Service?.ServiceArn ?? "", "RUNNING", 300_000);
    assert.equal(await read(s, "/"), `DB_USER=${DB_USER}\nDB_PASSWORD=${DB_PASSWORD}\nFLAG=${FLAG}\n`);
    const log = (await deploymentLog(s, created.OperationId ?? "")).join("\n");
    for (const value of [DB_USER, DB_PASSWORD, FLAG]) assert.ok(!log.includes(value), `${value} in the build's deployment log`);
  });
});
