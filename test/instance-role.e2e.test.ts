/**
 * An application's instance role, end to end: a real runc instance running the AWS SDK for
 * JavaScript (client made with no options) finds the container credential variables, asks the
 * control plane for the role's credentials through its gateway, and calls ListServices on the
 * real API, signed with the credentials it was issued. A service without an instance role gets
 * none of this, as on App Runner.
 *
 * The role is a real IAM role made through the IAM API (trusting tasks.apprunner.amazonaws.com,
 * allowed apprunner:ListServices only), its session comes from the server's own RoleSessions,
 * and the policy-evaluating authorizer lets the app list services and not describe one.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateServiceCommand, type Service } from "@aws-sdk/client-apprunner";
import type { LocalRuntimeDriver } from "../src/runtime/local/driver.js";
import { INSTANCE_CREDENTIALS_PATH } from "../src/iam/instance-credentials.js";
import { startInProcess, type InProcessServer } from "./support/harness.js";
import { createInstanceRole } from "./support/instance-role.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort, viaRouter } from "./support/router-client.js";
import { testRuntimeSettings, waitForStatus } from "./support/runtime-fixture.js";
import { pushSdkApp } from "./support/sdk-app-image.js";
import { TEST_RUNTIMES_DIR } from "./support/python-hello.js";

const ROLE_NAME = "app-instance-role";
const LIST_ONLY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "apprunner:ListServices", Resource: "*" }] });

describe("instance role: the app's AWS SDK gets the role's credentials and calls the API with them", { timeout: 10 * 60_000 }, () => {
  let server: InProcessServer;
  let registry: TestRegistry;
  let httpPort = 0;
  let image = "";

  before(async () => {
    registry = await startRegistry();
    httpPort = await freePort();
    server = await startInProcess({ localRuntime: testRuntimeSettings(httpPort, { runtimesDir: TEST_RUNTIMES_DIR }) });
    // The administrator makes the instance role with the IAM API, as on AWS.
    await createInstanceRole(server.running, ROLE_NAME, "list-only", LIST_ONLY);
    image = await pushSdkApp(registry.host, "sdk-app", "v1");
  });

  after(async () => {
    await server?.close();
    await registry?.stop();
  });

  const roleArn = (): string => `arn:aws:iam::${server.running.config.accountId}:role/${ROLE_NAME}`;

  async function create(name: string, instanceRoleArn?: string, env?: Record<string, string>): Promise<Service> {
    const out = await server.client.send(
      new CreateServiceCommand({
        ServiceName: name,
        SourceConfiguration: { AutoDeploymentsEnabled: false, ImageRepository: { ImageIdentifier: image, ImageRepositoryType: "ECR_PUBLIC", ImageConfiguration: { Port: "8080", ...(env ? { RuntimeEnvironmentVariables: env } : {}) } } },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB", ...(instanceRoleArn ? { InstanceRoleArn: instanceRoleArn } : {}) },
      }),
    );
    return waitForStatus(server.client, out.Service?.ServiceArn ?? "", "RUNNING", 180_000);
  }

  const get = async (s: Service, path: string): Promise<unknown> => {
    const reply = await viaRouter({ port: httpPort, host: s.ServiceUrl ?? "", path, timeoutMs: 60_000 });
    assert.equal(reply.status, 200, reply.body);
    return JSON.parse(reply.body) as unknown;
  };

  let withRole: Promise<Service> | undefined;
  const roleService = (): Promise<Service> => (withRole ??= create("with-role", roleArn()));

  it("an instance with an instance role calls ListServices with the SDK's default credential chain and AWS_ENDPOINT_URL", async () => {
    const service = await roleService();
    const [instance] = (server.running.driver as LocalRuntimeDriver).instances(service.ServiceId);
    assert.ok(instance);
    assert.deepEqual(await get(service, "/env"), ["AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_REGION"]);
    const listed = (await get(service, "/list")) as { ok: boolean; services?: string[]; accessKeyId?: string };
    assert.equal(listed.ok, true, JSON.stringify(listed));
    assert.deepEqual(listed.services, ["with-role"]);
    assert.match(listed.accessKeyId ?? "", /^ASIA[A-Z2-7]{16}$/, "signed with the role session's temporary credentials");
    // A second call within the hour: the SDK keeps its credentials.
    const again = (await get(service, "/list")) as { ok: boolean; accessKeyId?: string };
    assert.equal(again.ok, true);
    assert.equal(again.accessKeyId, listed.accessKeyId);
  });

  it("the role's policy allows ListServices and not DescribeService: the app hears AWS's AccessDeniedException, as its role session", async () => {
    const service = await roleService();
    const [instance] = (server.running.driver as LocalRuntimeDriver).instances(service.ServiceId);
    assert.ok(instance);
    const described = (await get(service, `/describe?arn=${encodeURIComponent(service.ServiceArn ?? "")}`)) as { ok: boolean; name?: string; message?: string };
    assert.equal(described.ok, false, JSON.stringify(described));
    assert.equal(described.name, "AccessDeniedException");
    // One session per instance, named after it, for App Runner's tasks service principal.
    const session = `arn:aws:sts::${server.running.config.accountId}:assumed-role/${ROLE_NAME}/${instance.instanceId}`;
    assert.equal(
      described.message,
      `User: ${session} is not authorized to perform: apprunner:DescribeService on resource: ${service.ServiceArn} because no identity-based policy allows the apprunner:DescribeService action`,
    );
  });

  it("the credentials endpoint answers only the instance's own token, for a running instance with a role", async () => {
    const service = await roleService();
    const [instance] = (server.running.driver as LocalRuntimeDriver).instances(service.ServiceId);
    assert.ok(instance);
    const url = `${server.running.endpoint}${INSTANCE_CREDENTIALS_PATH}${instance.instanceId}`;
    for (const authorization of [undefined, "wrong", "0".repeat(64)]) {
      const res = await fetch(url, { headers: authorization ? { authorization } : {} });
      assert.equal(res.status, 403, String(authorization));
      assert.doesNotMatch(await res.text(), /SecretAccessKey/);
    }
    assert.equal((await fetch(`${server.running.endpoint}${INSTANCE_CREDENTIALS_PATH}not-an-instance`)).status, 403);
  });

  it("a service without an instance role gets none of the variables, and its SDK finds no credentials", async () => {
    // Its own region, so that the SDK gets as far as looking for credentials.
    const service = await create("no-role", undefined, { AWS_REGION: server.running.config.region });
    assert.deepEqual(await get(service, "/env"), ["AWS_REGION"]);
    const listed = (await get(service, "/list")) as { ok: boolean; name?: string; message?: string };
    assert.equal(listed.ok, false);
    assert.match(`${listed.name}: ${listed.message}`, /credential/i);
  });
});
