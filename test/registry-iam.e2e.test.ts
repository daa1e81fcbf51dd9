import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient, UpdateAccessKeyCommand } from "@aws-sdk/client-iam";
import { pushHelloApp } from "./support/app-images.js";
import { ecrPassword } from "./support/built-in-registry.js";
import { startInProcess, type Credentials, type InProcessServer } from "./support/harness.js";
import { skipUnlessOnPath } from "./support/host-tools.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort } from "./support/router-client.js";
import { ScriptedRuntimeDriver } from "./support/scripted-driver.js";
import { skopeo } from "./support/skopeo.js";

/*
 * `docker pull` and `docker push` of the built-in registry are ECR's actions as IAM decides them:
 * a user with AWSAppRunnerServicePolicyForECRAccess (an access role's policy) pulls but may not
 * push, and a key made inactive gets nothing at its next login.
 */
describe("the built-in registry authorizes pulls and pushes with IAM", { timeout: 5 * 60_000, skip: skipUnlessOnPath("skopeo", "docker-registry") }, () => {
  let server: InProcessServer;
  let source: TestRegistry;
  let iam: IAMClient;
  let dir = "";
  let address = "";

  const ecrAs = (credentials: Credentials): ECRClient =>
    new ECRClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials, maxAttempts: 1 });

  /** skopeo logs in with the key's `aws ecr get-login-password`, into its own auth file. */
  async function loginAs(name: string, credentials: Credentials): Promise<string> {
    const ecr = ecrAs(credentials);
    try {
      const authfile = join(dir, `${name}.json`);
      const login = await skopeo(["login", "--authfile", authfile, "-u", "AWS", "--password-stdin", "--tls-verify=false", address], await ecrPassword(ecr));
      assert.equal(login.code, 0, login.out);
      return authfile;
    } finally {
      ecr.destroy();
    }
  }

  const copyInto = (authfile: string, to: string): Promise<{ code: number; out: string }> =>
    skopeo(["copy", "--authfile", authfile, "--src-tls-verify=false", "--dest-tls-verify=false", `docker://${source.host}/hello:v1`, `docker://${address}/${to}`]);
  const inspect = (authfile: string, image: string): Promise<{ code: number; out: string }> =>
    skopeo(["inspect", "--authfile", authfile, "--tls-verify=false", "--format", "{{.Digest}}", `docker://${address}/${image}`]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "openrunner-registry-iam-"));
    source = await startRegistry();
    await pushHelloApp(source.host, "hello", "v1", "one");
    server = await startInProcess({ driver: new ScriptedRuntimeDriver(), registry: { port: await freePort() } });
    address = server.running.registry?.address ?? "";
    iam = new IAMClient({ endpoint: server.running.endpoint, region: server.running.config.region, credentials: server.running.rootKey, maxAttempts: 1 });
    const root = ecrAs(server.running.rootKey);
    try {
      await root.send(new CreateRepositoryCommand({ repositoryName: "app" }));
    } finally {
      root.destroy();
    }
  });

  after(async () => {
    iam?.destroy();
    await server?.close();
    await source?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("root pushes; a user with the access role's policy pulls and may not push; an inactive key gets nothing", async () => {
    const rootAuth = await loginAs("root", server.running.rootKey);
    const pushed = await copyInto(rootAuth, "app:v1");
    assert.equal(pushed.code, 0, pushed.out);

    await iam.send(new CreateUserCommand({ UserName: "puller" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "puller", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSAppRunnerServicePolicyForECRAccess" }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "puller" }))).AccessKey;
    const puller = { accessKeyId: key?.AccessKeyId ?? "", secretAccessKey: key?.SecretAccessKey ?? "" };
    const pullerAuth = await loginAs("puller", puller);

    const pulled = await inspect(pullerAuth, "app:v1");
    assert.equal(pulled.code, 0, pulled.out);
    assert.match(pulled.out, /^sha256:[0-9a-f]{64}/);

    const refused = await copyInto(pullerAuth, "app:v2");
    assert.notEqual(refused.code, 0, "a key without ecr:PutImage and the upload actions may not push");
    assert.match(refused.out, /denied|unauthorized|401|403/i);

    await iam.send(new UpdateAccessKeyCommand({ UserName: "puller", AccessKeyId: puller.accessKeyId, Status: "Inactive" }));
    const afterInactive = await inspect(pullerAuth, "app:v1");
    assert.notEqual(afterInactive.code, 0, "the registry's next token for an inactive key grants nothing");
  });
});
