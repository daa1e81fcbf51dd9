import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  PauseServiceCommand,
  ResumeServiceCommand,
  type AppRunnerClient,
  type Service,
} from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { awsCliEnv, runAwsCli } from "./support/aws-cli.js";
import { makeRepo, removeRepo, type TestRepo } from "./support/git-server.js";
import { credentialsIn } from "./support/harness.js";
import { skipUnlessOnPath } from "./support/host-tools.js";
import { LocalServer } from "./support/local-server.js";
import { PYTHON_HELLO, pythonHelloService, TEST_RUNTIMES_DIR } from "./support/python-hello.js";
import { waitForOperation, waitForStatus } from "./support/runtime-fixture.js";

const BUILD_MS = 15 * 60_000;

function skopeo(args: string[], stdin = ""): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = execFile("skopeo", args, { timeout: 120_000 }, (err, stdout, stderr) => done({ code: err ? 1 : 0, out: `${stdout}${stderr}` }));
    child.stdin?.end(stdin);
  });
}

/**
 * Source builds keep their images in the built-in registry of a real `openrunner up`: one ECR
 * repository per service, one image per deployment tagged with its id, pullable with an ECR
 * password; a resume whose image left the host pulls it from there instead of building again;
 * deleting the service deletes the repository.
 */
describe("built images kept in the built-in registry (openrunner up)", { timeout: 20 * 60_000, skip: skipUnlessOnPath("skopeo", "docker-registry") }, () => {
  const srv = new LocalServer("openrunner-keep-", { registry: true, extraArgs: ["--runtimes-dir", TEST_RUNTIMES_DIR, "--code-poll-seconds", "0"] });
  let client: AppRunnerClient;
  let ecr: ECRClient;
  let logs: CloudWatchLogsClient;
  let repo: TestRepo;
  let service: Service | undefined;
  const address = (): string => `127.0.0.1:${srv.registryPort}`;
  const endpoint = (): string => srv.current?.server.endpoint ?? "";
  const deploymentLog = async (s: Service, operationId: string): Promise<string> => {
    const out = await logs.send(
      new GetLogEventsCommand({ logGroupName: `/aws/apprunner/${s.ServiceName}/${s.ServiceId}/service`, logStreamName: `deployment/${operationId}`, startFromHead: true }),
    );
    return (out.events ?? []).map((e) => e.message ?? "").join("\n");
  };
  /** The images this host has unpacked: the one a build made, once it deployed. */
  const unpacked = (): string[] => readdirSync(join(srv.data.dir, "images", "unpacked")).map((hex) => `sha256:${hex}`);

  before(async () => {
    client = await srv.start();
    const credentials = credentialsIn(srv.data.dir);
    ecr = new ECRClient({ endpoint: endpoint(), region: "us-east-1", credentials, maxAttempts: 1 });
    logs = new CloudWatchLogsClient({ endpoint: endpoint(), region: "us-east-1", credentials });
    repo = makeRepo(PYTHON_HELLO);
  });

  after(async () => {
    ecr?.destroy();
    logs?.destroy();
    if (service && srv.current) await client.send(new DeleteServiceCommand({ ServiceArn: service.ServiceArn })).catch(() => undefined);
    await srv.stop("SIGTERM");
    try {
      await srv.cleanup();
    } finally {
      if (repo) removeRepo(repo);
    }
  });

  it("a build's image is in apprunner/<name>/<id> tagged with the deployment's id, pullable with an ECR password; a resume without it on the host pulls it; deleting the service deletes the repository", { timeout: BUILD_MS }, async (t) => {
    const created = await client.send(new CreateServiceCommand(pythonHelloService("Kept_Python", repo.dir, "kept")));
    service = created.Service;
    const arn = service?.ServiceArn ?? "";
    const createOp = created.OperationId ?? "";
    assert.ok(service?.ServiceId && createOp);
    await waitForStatus(client, arn, "RUNNING", BUILD_MS);
    assert.equal((await srv.via(service.ServiceUrl ?? "")).body, "Hello, kept! (v1)");

    // The one image this host built is the one in the service's repository, tagged with the deployment's id.
    const name = `apprunner/kept-python/${service.ServiceId}`;
    const [built] = unpacked();
    assert.ok(built);
    assert.deepEqual(unpacked(), [built]);
    const repositories = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories ?? [];
    assert.deepEqual(
      repositories.map((r) => [r.repositoryName, r.repositoryUri, r.imageTagMutability, r.encryptionConfiguration?.encryptionType]),
      [[name, `${address()}/${name}`, "MUTABLE", "AES256"]],
    );
    const images = (await ecr.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails ?? [];
    assert.deepEqual(images.map((i) => [i.imageDigest, i.imageTags]), [[built, [createOp]]]);
    const log = await deploymentLog(service, createOp);
    assert.match(log, new RegExp(`Kept the image in the built-in registry as ${address()}/${name}:${createOp} \\(${built}\\)`));
    t.diagnostic(log.split("\n").find((l) => l.includes("Kept the image")) ?? "");

    // Any machine with an ECR password pulls it: `aws ecr get-login-password` | skopeo login.
    const files = { credentials: join(srv.data.dir, "credentials"), config: join(srv.data.dir, "config") };
    const got = await runAwsCli(["--profile", "openrunner", "--endpoint-url", endpoint(), "ecr", "get-login-password"], awsCliEnv(files));
    assert.equal(got.code, 0, got.stderr);
    const authfile = join(srv.data.dir, "skopeo-auth.json");
    const login = await skopeo(["login", "--authfile", authfile, "-u", "AWS", "--password-stdin", "--tls-verify=false", address()], got.stdout.trim());
    assert.equal(login.code, 0, login.out);
    const inspect = await skopeo(["inspect", "--authfile", authfile, "--tls-verify=false", `docker://${address()}/${name}@${built}`]);
    assert.equal(inspect.code, 0, inspect.out);
    assert.equal((JSON.parse(inspect.out) as { Digest: string }).Digest, built);

    // Paused, the image leaves this host; the resume pulls it from the repository, builds nothing.
    const paused = await client.send(new PauseServiceCommand({ ServiceArn: arn }));
    assert.equal((await waitForOperation(client, arn, paused.OperationId ?? "", 120_000)).Status, "SUCCEEDED");
    rmSync(join(srv.data.dir, "images", "unpacked", built.slice("sha256:".length)), { recursive: true, force: true });
    assert.deepEqual(unpacked(), []);
    const resumed = await client.send(new ResumeServiceCommand({ ServiceArn: arn }));
    const resumeOp = resumed.OperationId ?? "";
    assert.equal((await waitForOperation(client, arn, resumeOp, BUILD_MS)).Status, "SUCCEEDED", await deploymentLog(service, resumeOp));
    assert.equal((await srv.via(service.ServiceUrl ?? "")).body, "Hello, kept! (v1)");
    const resumeLog = await deploymentLog(service, resumeOp);
    assert.match(resumeLog, new RegExp(`pulled from ${address()}/${name}@${built}`));
    assert.doesNotMatch(resumeLog, /Running build command/);
    assert.deepEqual(unpacked(), [built]);
    const tagged = (await ecr.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails ?? [];
    assert.deepEqual(tagged.map((i) => [i.imageDigest, [...(i.imageTags ?? [])].sort()]), [[built, [createOp, resumeOp].sort()]]);

    // Deleting the service deletes its repository and its images.
    const deleted = await client.send(new DeleteServiceCommand({ ServiceArn: arn }));
    assert.equal((await waitForOperation(client, arn, deleted.OperationId ?? "", 120_000)).Status, "SUCCEEDED");
    service = undefined;
    await assert.rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] })), { name: "RepositoryNotFoundException" });
    assert.equal(existsSync(join(srv.data.dir, "registry", "storage", "docker", "registry", "v2", "repositories", name)), false);
  });
});
