import { CreateServiceCommand, DeleteServiceCommand, ListOperationsCommand, type AppRunnerClient, type Service } from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutLifecyclePolicyCommand } from "@aws-sdk/client-ecr";
import { HmacRegistryPasswords } from "../src/registry/passwords.js";
import { awsCliEnv, runAwsCli } from "./support/aws-cli.js";
import { pushHelloApp } from "./support/app-images.js";
import { credentialsIn, eventually } from "./support/harness.js";
import { skipUnlessOnPath } from "./support/host-tools.js";
import { LocalServer, registryPid } from "./support/local-server.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { skopeo } from "./support/skopeo.js";
import { accountOf } from "./support/built-in-registry.js";
import { waitForStatus } from "./support/runtime-fixture.js";
import { ensureEcrAccessRole } from "./support/ecr-access-role.js";

/**
 * The built-in registry of a real `openrunner up`: ECR passwords, pushes with skopeo, what ECR
 * refuses, a service from an ECR image identifier that deploys again on a push, and the
 * registry's supervision and storage across restarts.
 */
describe("built-in registry (openrunner up)", { timeout: 10 * 60_000, skip: skipUnlessOnPath("skopeo", "docker-registry") }, () => {
  const srv = new LocalServer("openrunner-registry-", { registry: true });
  let source: TestRegistry;
  let client: AppRunnerClient;
  let account = "";
  let accessRoleArn = "";
  const services: Service[] = [];
  const authfile = (): string => join(srv.data.dir, "skopeo-auth.json");
  const address = (): string => `127.0.0.1:${srv.registryPort}`;
  const password = (now = new Date()): string => {
    const key = readFileSync(join(srv.data.dir, "registry", "password.key"));
    return new HmacRegistryPasswords(key).issue({ accountId: account, accessKeyId: "AKIATEST" }, now).password;
  };
  const copy = (from: string, to: string): Promise<{ code: number; out: string }> =>
    skopeo(["copy", "--authfile", authfile(), "--src-tls-verify=false", "--dest-tls-verify=false", `docker://${source.host}/${from}`, `docker://${address()}/${to}`]);
  const tokenAnswer = (user: string, pass: string): Promise<Response> =>
    fetch(`http://${address()}/token?service=openrunner-registry&scope=repository:app:pull,push`, {
      headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` },
    });
  const output = (): string => srv.current?.server.output().slice(-6000) ?? "";

  before(async () => {
    source = await startRegistry();
    await pushHelloApp(source.host, "hello", "v1", "one");
    client = await srv.start();
    account = accountOf(srv);
    // The repositories come from the ECR API of the same server, as a user makes them.
    const ecr = new ECRClient({ endpoint: srv.current?.server.endpoint, region: "us-east-1", credentials: credentialsIn(srv.data.dir), maxAttempts: 1 });
    try {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: "app" }));
      await ecr.send(new CreateRepositoryCommand({ repositoryName: "frozen", imageTagMutability: "IMMUTABLE" }));
    } finally {
      ecr.destroy();
    }
    // As on App Runner: an ECR image is pulled with an access role.
    accessRoleArn = await ensureEcrAccessRole(srv.current?.server.endpoint ?? "", credentialsIn(srv.data.dir));
  });

  after(async () => {
    for (const s of services) await client?.send(new DeleteServiceCommand({ ServiceArn: s.ServiceArn })).catch(() => undefined);
    await srv.stop("SIGTERM");
    try {
      await srv.cleanup();
    } finally {
      await source?.stop();
    }
  });

  it("skopeo logs in with `aws ecr get-login-password` and pushes; a pull without a token is refused", async () => {
    const files = { credentials: join(srv.data.dir, "credentials"), config: join(srv.data.dir, "config") };
    const got = await runAwsCli(["--profile", "openrunner", "--endpoint-url", srv.current?.server.endpoint ?? "", "ecr", "get-login-password"], awsCliEnv(files));
    assert.equal(got.code, 0, got.stderr);
    const login = await skopeo(["login", "--authfile", authfile(), "-u", "AWS", "--password-stdin", "--tls-verify=false", address()], got.stdout.trim());
    assert.equal(login.code, 0, login.out);
    const pushed = await copy("hello:v1", "app:v1");
    assert.equal(pushed.code, 0, pushed.out);

    const anonymous = await fetch(`http://${address()}/v2/app/manifests/v1`);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get("www-authenticate") ?? "", new RegExp(`^Bearer realm="http://${address()}/token"`));
    const noPassword = await fetch(`http://${address()}/token?scope=repository:app:pull`);
    assert.equal(noPassword.status, 401);
  });

  it("refuses an expired, a forged and another user's password in ECR's words", async () => {
    const expired = await tokenAnswer("AWS", password(new Date(Date.now() - 13 * 3600 * 1000)));
    assert.equal(expired.status, 401);
    assert.match(await expired.text(), /Your authorization token has expired. Reauthenticate and try again./);
    const good = password();
    const forged = `${good.slice(0, good.indexOf(".") + 1)}${"A".repeat(43)}`;
    const refused = await tokenAnswer("AWS", forged);
    assert.equal(refused.status, 401);
    assert.match(await refused.text(), /Your authorization token is invalid./);
    assert.equal((await tokenAnswer("admin", good)).status, 401);
    const login = await skopeo(["login", "--authfile", join(srv.data.dir, "other-auth.json"), "-u", "AWS", "--password-stdin", "--tls-verify=false", address()], forged);
    assert.notEqual(login.code, 0, login.out);
    const ok = await tokenAnswer("AWS", good);
    assert.equal(ok.status, 200);
    const answer = (await ok.json()) as { token: string; access_token: string; expires_in: number; issued_at: string };
    assert.equal(answer.token, answer.access_token);
    assert.ok(answer.expires_in > 0 && answer.issued_at);
  });

  it("refuses a push to a repository that does not exist and a re-push of a tag of an IMMUTABLE repository", async () => {
    const unknown = await copy("hello:v1", "nowhere:v1");
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.out, new RegExp(`The repository with name 'nowhere' does not exist in the registry with id '${account}'`));
    assert.equal((await copy("hello:v1", "frozen:v1")).code, 0);
    await pushHelloApp(source.host, "hello", "v1-other", "other");
    const again = await copy("hello:v1-other", "frozen:v1");
    assert.notEqual(again.code, 0);
    assert.match(again.out, /The image tag 'v1' already exists in the 'frozen' repository and cannot be overwritten because the repository is immutable\./);
    // A new tag is fine.
    assert.equal((await copy("hello:v1-other", "frozen:v2")).code, 0);
  });

  it("runs a service from <account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag> and deploys a push of its tag at once", async () => {
    const created = await client.send(
      new CreateServiceCommand({
        ServiceName: "from-ecr",
        SourceConfiguration: {
          AutoDeploymentsEnabled: true,
          AuthenticationConfiguration: { AccessRoleArn: accessRoleArn },
          ImageRepository: { ImageIdentifier: `${account}.dkr.ecr.us-east-1.amazonaws.com/app:v1`, ImageRepositoryType: "ECR", ImageConfiguration: { Port: "8080" } },
        },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
      }),
    );
    const service = created.Service;
    assert.ok(service?.ServiceArn);
    services.push(service);
    await waitForStatus(client, service.ServiceArn, "RUNNING", 120_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${output()}`);
    });
    assert.equal((await srv.via(service.ServiceUrl ?? "")).body, "one");

    // Image polling is off (LocalServer): only the registry's push notification can deploy this.
    await pushHelloApp(source.host, "hello", "v1", "two");
    assert.equal((await copy("hello:v1", "app:v1")).code, 0);
    await eventually(async () => ((await srv.via(service.ServiceUrl ?? "")).body === "two" ? true : undefined), 60_000, 250).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${output()}`);
    });
    await waitForStatus(client, service.ServiceArn, "RUNNING", 60_000);
    const ops = (await client.send(new ListOperationsCommand({ ServiceArn: service.ServiceArn }))).OperationSummaryList ?? [];
    assert.deepEqual(ops.map((o) => `${o.Type}:${o.Status}`), ["START_DEPLOYMENT:SUCCEEDED", "CREATE_SERVICE:SUCCEEDED"]);
  });

  it("a lifecycle rule expires untagged images in the registry itself, through the sweep a PutLifecyclePolicy starts", async () => {
    const ecr = new ECRClient({ endpoint: srv.current?.server.endpoint, region: "us-east-1", credentials: credentialsIn(srv.data.dir), maxAttempts: 1 });
    try {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: "expiring" }));
      // Three pushes of one tag: the first two images are left untagged, as on ECR.
      const digests: string[] = [];
      for (const version of ["e1", "e2", "e3"]) {
        digests.push((await pushHelloApp(source.host, "hello", `lifecycle-${version}`, version)).digest);
        assert.equal((await copy(`hello:lifecycle-${version}`, "expiring:latest")).code, 0);
      }
      const images = async (): Promise<string[]> =>
        ((await ecr.send(new DescribeImagesCommand({ repositoryName: "expiring" }))).imageDetails ?? [])
          .map((d) => `${d.imageDigest ?? ""}:${(d.imageTags ?? []).join(",")}`)
          .sort();
      assert.deepEqual(await images(), [`${digests[0]}:`, `${digests[1]}:`, `${digests[2]}:latest`].sort());
      const policy = { rules: [{ rulePriority: 1, description: "keep one untagged", selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } }] };
      await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: "expiring", lifecyclePolicyText: JSON.stringify(policy) }));
      // The oldest untagged image goes; the newest untagged one and the tagged one stay.
      await eventually(async () => ((await images()).length === 2 ? true : undefined), 60_000, 250).catch((err: unknown) => {
        throw new Error(`${String(err)}\n${output()}`);
      });
      assert.deepEqual(await images(), [`${digests[1]}:`, `${digests[2]}:latest`].sort());
      const gone = await fetch(`http://${address()}/v2/expiring/manifests/${digests[0]}`);
      assert.equal(gone.status, 401, "still behind the token");
      const pull = await skopeo(["inspect", "--authfile", authfile(), "--tls-verify=false", `docker://${address()}/expiring@${digests[0]}`]);
      assert.notEqual(pull.code, 0, "the expired image cannot be pulled any more");
    } finally {
      ecr.destroy();
    }
  });

  it("restarts a registry killed with SIGKILL, and keeps its images across a restart of openrunner up", async () => {
    const first = registryPid(srv.data.dir);
    assert.ok(first > 0);
    process.kill(first, "SIGKILL");
    await eventually(async () => {
      const pid = registryPid(srv.data.dir);
      if (pid === first || pid === 0) return undefined;
      return (await fetch(`http://${address()}/v2/`)).status === 401 ? true : undefined;
    }, 30_000, 100).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${output()}`);
    });
    assert.match(output(), /registry exited; starting it again.*SIGKILL/);

    const before = await skopeo(["inspect", "--authfile", authfile(), "--tls-verify=false", "--format", "{{.Digest}}", `docker://${address()}/app:v1`]);
    assert.equal(before.code, 0, before.out);
    await srv.stop("SIGTERM");
    assert.equal(registryPid(srv.data.dir), 0, "a stopped openrunner up leaves no registry behind");
    client = await srv.start();
    const afterRestart = await skopeo(["inspect", "--authfile", authfile(), "--tls-verify=false", "--format", "{{.Digest}}", `docker://${address()}/app:v1`]);
    assert.equal(afterRestart.code, 0, afterRestart.out);
    assert.equal(afterRestart.out.trim(), before.out.trim());
  });
});
