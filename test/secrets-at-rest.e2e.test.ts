/**
 * The proof that secrets are never seen where they should not be: a real server with a
 * real runc instance (busybox app from the loopback registry), a Secrets Manager secret and a
 * SecureString parameter referenced as RuntimeEnvironmentSecrets, a RuntimeEnvironmentVariables
 * value, and the service encrypted with a customer KMS key. The app proves it got each value by
 * serving its SHA-256, never the value. After create, rotation + update, pause, resume and delete,
 * every log group (Logs API), the audit trail (LookupEvents), the server's own output and every
 * file under the data directory (SQLite file and WAL included) are searched for each value.
 * A second service's key is disabled: its UpdateService fails clearly while the old version answers.
 *
 * KMS, Secrets Manager and SSM are called over their AWS JSON protocols, signed as the SDKs sign.
 */
import { CreateServiceCommand, DeleteServiceCommand, DescribeServiceCommand, PauseServiceCommand, ResumeServiceCommand, UpdateServiceCommand, type Service } from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { awsJsonCall } from "./support/aws-json-call.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { createInstanceRole } from "./support/instance-role.js";
import { buildAndPushImage } from "./support/oci-image.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort, viaRouter } from "./support/router-client.js";
import { testRuntimeSettings, waitForStatus } from "./support/runtime-fixture.js";
import { fetchHeaders, signRequest } from "./support/sigv4-signer.js";

/** Values long and random enough that finding one anywhere is no coincidence. */
const secretValue = (label: string): string => `${label}-${randomBytes(18).toString("hex")}`;
const SECRET_V1 = secretValue("sm-v1");
const SECRET_V2 = secretValue("sm-v2");
const PARAMETER = secretValue("ssm");
const ENV_V1 = secretValue("env-v1");
const ENV_V2 = secretValue("env-v2");
const ALL = [SECRET_V1, SECRET_V2, PARAMETER, ENV_V1, ENV_V2];
const sha256 = (v: string): string => createHash("sha256").update(v).digest("hex");

const ROLE_NAME = "secrets-reader";
const READ_SECRETS = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "ssm:GetParameters", "ssm:GetParameter", "kms:Decrypt"], Resource: "*" }],
});

/** Prints `NAME=<sha256 of its value>` for each variable the test sets: never a value. */
const HASH_CGI = {
  content: [
    "#!/bin/sh",
    "printf 'Content-Type: text/plain\\r\\n\\r\\n'",
    'for name in DB_PASSWORD API_TOKEN PLAIN_SECRET; do eval "v=\\$$name"; printf "%s=%s\\n" "$name" "$(printf %s "$v" | busybox sha256sum | busybox cut -d" " -f1)"; done',
  ].join("\n"),
  mode: 0o755,
};

const JSON_TARGETS = {
  kms: { prefix: "TrentService", service: "kms" },
  secretsmanager: { prefix: "secretsmanager", service: "secretsmanager" },
  ssm: { prefix: "AmazonSSM", service: "ssm" },
} as const;

describe("secrets at rest: a secret's value is found nowhere in clear after a service's whole life", { timeout: 10 * 60_000 }, () => {
  let server: InProcessServer;
  let registry: TestRegistry;
  let httpPort = 0;
  let image = "";
  /** Everything the server wrote to its logger (what `openrunner up` prints on stderr). */
  const output: string[] = [];

  /** One call to KMS, Secrets Manager or SSM (AWS JSON 1.1); throws with the answer on an error. */
  async function call(api: keyof typeof JSON_TARGETS, operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const t = JSON_TARGETS[api];
    const url = `${server.running.endpoint}/`;
    const body = JSON.stringify(input);
    const signed = await signRequest({
      url,
      body,
      service: t.service,
      credentials: server.running.rootKey,
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `${t.prefix}.${operation}` },
    });
    const res = await fetch(url, { method: "POST", headers: fetchHeaders(signed), body: Buffer.from(body) });
    const answer = JSON.parse((await res.text()) || "{}") as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`${api} ${operation}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  }

  const hashes = async (s: Service): Promise<string> => {
    const reply = await viaRouter({ port: httpPort, host: s.ServiceUrl ?? "", path: "/cgi-bin/hash", timeoutMs: 60_000 });
    assert.equal(reply.status, 200, reply.body);
    return reply.body;
  };
  const expected = (secret: string, env: string): string => `DB_PASSWORD=${sha256(secret)}\nAPI_TOKEN=${sha256(PARAMETER)}\nPLAIN_SECRET=${sha256(env)}\n`;
  const settled = (arn: string): Promise<Service> =>
    eventually(async () => {
      const s = (await server.client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service;
      return s && s.Status !== "OPERATION_IN_PROGRESS" ? s : undefined;
    }, 180_000, 250);

  let keyArn = "";
  let otherKeyArn = "";
  let secretArn = "";
  let parameterArn = "";
  const roleArn = (): string => `arn:aws:iam::${server.running.config.accountId}:role/${ROLE_NAME}`;

  const serviceInput = (name: string, kmsKey: string, env: string): ConstructorParameters<typeof CreateServiceCommand>[0] => ({
    ServiceName: name,
    SourceConfiguration: {
      AutoDeploymentsEnabled: false,
      ImageRepository: {
        ImageIdentifier: image,
        ImageRepositoryType: "ECR_PUBLIC",
        ImageConfiguration: {
          Port: "8080",
          RuntimeEnvironmentVariables: { PLAIN_SECRET: env },
          RuntimeEnvironmentSecrets: { DB_PASSWORD: secretArn, API_TOKEN: parameterArn },
        },
      },
    },
    InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB", InstanceRoleArn: roleArn() },
    EncryptionConfiguration: { KmsKey: kmsKey },
  });

  before(async () => {
    registry = await startRegistry();
    httpPort = await freePort();
    await buildAndPushImage(registry.host, "secrets-app", "v1", {
      busybox: true,
      files: { "/www/index.html": "secrets app\n", "/www/cgi-bin/hash": HASH_CGI },
      cmd: ["/bin/sh", "-c", 'exec busybox httpd -f -p "$PORT" -h /www'],
      exposedPorts: [8080],
    });
    image = `${registry.host}/secrets-app:v1`;
    server = await startInProcess({
      localRuntime: testRuntimeSettings(httpPort),
      logger: (message, fields) => output.push(JSON.stringify({ message, ...fields })),
    });
    await createInstanceRole(server.running, ROLE_NAME, "read-secrets", READ_SECRETS);
    keyArn = ((await call("kms", "CreateKey", { Description: "the service's key" })).KeyMetadata as { Arn: string }).Arn;
    otherKeyArn = ((await call("kms", "CreateKey", { Description: "a key to disable" })).KeyMetadata as { Arn: string }).Arn;
    secretArn = (await call("secretsmanager", "CreateSecret", { Name: "db-password", SecretString: SECRET_V1, KmsKeyId: keyArn })).ARN as string;
    await call("ssm", "PutParameter", { Name: "/app/api-token", Value: PARAMETER, Type: "SecureString", KeyId: keyArn });
    parameterArn = `arn:aws:ssm:${server.running.config.region}:${server.running.config.accountId}:parameter/app/api-token`;
  });

  after(async () => {
    await server?.close();
    await registry?.stop();
  });

  it("create, rotate + update, pause, resume: the app gets every value (it shows only their hashes)", async () => {
    const created = await server.client.send(new CreateServiceCommand(serviceInput("secrets-app", keyArn, ENV_V1)));
    const arn = created.Service?.ServiceArn ?? "";
    let s = await waitForStatus(server.client, arn, "RUNNING", 180_000);
    assert.equal(await hashes(s), expected(SECRET_V1, ENV_V1));
    // DescribeService shows the references and the key, never a secret's value.
    assert.deepEqual(s.SourceConfiguration?.ImageRepository?.ImageConfiguration?.RuntimeEnvironmentSecrets, { DB_PASSWORD: secretArn, API_TOKEN: parameterArn });
    assert.deepEqual(s.EncryptionConfiguration, { KmsKey: keyArn });

    await call("secretsmanager", "PutSecretValue", { SecretId: secretArn, SecretString: SECRET_V2 });
    const { ServiceName: _, EncryptionConfiguration: __, ...update } = serviceInput("secrets-app", keyArn, ENV_V2);
    await server.client.send(new UpdateServiceCommand({ ServiceArn: arn, ...update }));
    s = await settled(arn);
    assert.equal(s.Status, "RUNNING");
    assert.equal(await hashes(s), expected(SECRET_V2, ENV_V2));

    await server.client.send(new PauseServiceCommand({ ServiceArn: arn }));
    assert.equal((await settled(arn)).Status, "PAUSED");
    await server.client.send(new ResumeServiceCommand({ ServiceArn: arn }));
    s = await settled(arn);
    assert.equal(s.Status, "RUNNING");
    assert.equal(await hashes(s), expected(SECRET_V2, ENV_V2));
  });

  it("a disabled KMS key fails UpdateService clearly while the old version still answers", async () => {
    const created = await server.client.send(new CreateServiceCommand(serviceInput("disabled-key", otherKeyArn, ENV_V1)));
    const arn = created.Service?.ServiceArn ?? "";
    const s = await waitForStatus(server.client, arn, "RUNNING", 180_000);
    await call("kms", "DisableKey", { KeyId: otherKeyArn });
    const { ServiceName: _, EncryptionConfiguration: __, ...update } = serviceInput("disabled-key", otherKeyArn, ENV_V2);
    const updated = await server.client.send(new UpdateServiceCommand({ ServiceArn: arn, ...update }));
    assert.equal((await settled(arn)).Status, "RUNNING");
    assert.equal(await hashes(s), expected(SECRET_V2, ENV_V1), "the old version answers, with its own configuration");
    const log = await awsJsonCall(server.running.endpoint, server.running.rootKey, "logs", "GetLogEvents", JSON.stringify({
      logGroupName: `/aws/apprunner/disabled-key/${s.ServiceId ?? ""}/service`,
      logStreamName: `deployment/${updated.OperationId ?? ""}`,
    }));
    const lines = ((log.body.events ?? []) as { message: string }[]).map((e) => e.message).join("\n");
    assert.match(lines, new RegExp(`the service's KMS key ${otherKeyArn} is disabled.*Enable it`));
  });

  it("after delete, no value is in any log group, the audit trail, the server's output or any file of the data directory", async () => {
    let appArn = "";
    for (const name of ["secrets-app", "disabled-key"]) {
      const listed = await awsJsonCall(server.running.endpoint, server.running.rootKey, "apprunner", "ListServices", "{}");
      const arn = ((listed.body.ServiceSummaryList ?? []) as { ServiceName: string; ServiceArn: string }[]).find((x) => x.ServiceName === name)?.ServiceArn;
      assert.ok(arn, name);
      if (name === "secrets-app") appArn = arn;
      await server.client.send(new DeleteServiceCommand({ ServiceArn: arn }));
      await eventually(async () => {
        const s = (await server.client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service;
        return s?.Status === "DELETED" ? s : undefined;
      }, 120_000, 250);
    }

    const places = new Map<string, string>();
    // Every log group, every event (service, application and deployment logs, service events).
    const { endpoint, rootKey } = server.running;
    const groups: { logGroupName: string }[] = [];
    let groupToken: string | undefined;
    do {
      const page = await awsJsonCall(endpoint, rootKey, "logs", "DescribeLogGroups", JSON.stringify(groupToken ? { nextToken: groupToken } : {}));
      groups.push(...((page.body.logGroups ?? []) as { logGroupName: string }[]));
      groupToken = page.body.nextToken as string | undefined;
    } while (groupToken);
    assert.ok(groups.some((g) => g.logGroupName.startsWith("/aws/apprunner/secrets-app/")), "the service's log groups were found");
    for (const g of groups) {
      let token: string | undefined;
      const messages: string[] = [];
      do {
        const page = await awsJsonCall(endpoint, rootKey, "logs", "FilterLogEvents", JSON.stringify({ logGroupName: g.logGroupName, ...(token ? { nextToken: token } : {}) }));
        messages.push(...((page.body.events ?? []) as { message: string }[]).map((e) => e.message));
        token = page.body.nextToken as string | undefined;
      } while (token);
      assert.ok(messages.length > 0 || !g.logGroupName.endsWith("/service"), `${g.logGroupName} was read`);
      places.set(`log group ${g.logGroupName}`, messages.join("\n"));
    }
    // The audit trail: every event, requests and responses.
    let trailToken: string | undefined;
    const trail: string[] = [];
    do {
      const page = await awsJsonCall(endpoint, rootKey, "cloudtrail", "LookupEvents", JSON.stringify({ MaxResults: 50, ...(trailToken ? { NextToken: trailToken } : {}) }));
      trail.push(...((page.body.Events ?? []) as { CloudTrailEvent: string }[]).map((e) => e.CloudTrailEvent));
      trailToken = page.body.NextToken as string | undefined;
    } while (trailToken);
    assert.ok(trail.some((e) => e.includes("PutSecretValue")) && trail.some((e) => e.includes("UpdateService")), "the trail was read");
    places.set("the audit trail", trail.join("\n"));
    places.set("the server's output", output.join("\n"));
    // Every file of the data directory, whatever it is (openrunner.db and its WAL, logs, trail, instance dirs).
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) files.push(p);
      }
    };
    walk(server.running.dataDir);
    assert.ok(files.some((f) => f.endsWith("openrunner.db-wal")) || files.some((f) => f.endsWith("openrunner.db")));
    for (const f of files) {
      if (statSync(f).size > 256 * 1024 * 1024) continue;
      places.set(f, readFileSync(f).toString("latin1"));
    }

    // Control: the search reads what it should (the service's id is in clear in the database and in log group names).
    const serviceId = ((await server.client.send(new DescribeServiceCommand({ ServiceArn: appArn }))).Service?.ServiceId ?? "") || "no id";
    assert.ok(files.some((f) => f.includes("openrunner.db") && places.get(f)?.includes(serviceId)), "the database files were read");
    assert.ok([...places.keys()].some((p) => p.includes(serviceId)), "the service's log groups were read");

    const found: string[] = [];
    for (const [place, text] of places) {
      for (const value of ALL) if (text.includes(value)) found.push(`${value.split("-")[0]} in ${place}`);
    }
    assert.deepEqual(found, []);
  });
});
