import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateConnectionCommand, CreateServiceCommand, ListOperationsCommand, type Service, type SourceConfiguration } from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { RuntimeCatalog } from "../src/builder/runtimes/catalog.js";
import { completeHandshake } from "../src/domain/connection-handshake.js";
import { SecretBox } from "../src/iam/secret-box.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { makeRepo, startGitHttpServer, type GitHttpServer, type TestRepo } from "./support/git-server.js";
import { freePort, viaRouter } from "./support/router-client.js";
import { testRuntimeSettings, waitForOperation, waitForStatus } from "./support/runtime-fixture.js";
import { PYTHON_HELLO, TEST_RUNTIMES_DIR } from "./support/python-hello.js";

const BUILD_MS = 15 * 60_000;


const pythonYaml = (build = "pip install -r requirements.txt"): string =>
  [
    "version: 1.0",
    "runtime: python3",
    "build:",
    "  commands:",
    "    build:",
    `      - ${build}`,
    "run:",
    "  command: python3 server.py",
    "  network:",
    "    port: 8080",
    "  env:",
    "    - name: NAME",
    "      value: yaml",
    "",
  ].join("\n");

describe("source-code services: git, apprunner.yaml, managed runtimes, builds, automatic deployments", { timeout: 40 * 60_000 }, () => {
  let server: InProcessServer;
  let logs: CloudWatchLogsClient;
  let git: GitHttpServer;
  let privateGit: GitHttpServer;
  let httpPort = 0;
  const roots: string[] = [];
  const serverLog: string[] = [];

  const get = async (s: Service, path = "/"): Promise<string> => (await viaRouter({ port: httpPort, host: s.ServiceUrl ?? "", path })).body.trim();
  const deploymentLog = async (s: Service, operationId: string): Promise<string> => {
    const out = await logs.send(
      new GetLogEventsCommand({ logGroupName: `/aws/apprunner/${s.ServiceName}/${s.ServiceId}/service`, logStreamName: `deployment/${operationId}`, startFromHead: true }),
    );
    return (out.events ?? []).map((e) => e.message ?? "").join("\n");
  };
  const repoRoot = (): string => {
    const root = mkdtempSync(join(tmpdir(), "openrunner-git-"));
    roots.push(root);
    return root;
  };
  async function create(name: string, source: SourceConfiguration): Promise<{ service: Service; operationId: string }> {
    const out = await server.client.send(new CreateServiceCommand({ ServiceName: name, SourceConfiguration: source, InstanceConfiguration: { Cpu: "1 vCPU", Memory: "2 GB" } }));
    if (!out.Service) throw new Error(`CreateService ${name} returned no service`);
    return { service: out.Service, operationId: out.OperationId ?? "" };
  }
  const code = (url: string, configuration: NonNullable<SourceConfiguration["CodeRepository"]>["CodeConfiguration"], auto = false, connectionArn?: string): SourceConfiguration => ({
    AutoDeploymentsEnabled: auto,
    CodeRepository: { RepositoryUrl: url, SourceCodeVersion: { Type: "BRANCH", Value: "main" }, CodeConfiguration: configuration },
    ...(connectionArn ? { AuthenticationConfiguration: { ConnectionArn: connectionArn } } : {}),
  });
  const latestOperation = async (arn: string, after: string): Promise<string | undefined> => {
    const ops = (await server.client.send(new ListOperationsCommand({ ServiceArn: arn }))).OperationSummaryList ?? [];
    const newest = ops[0];
    return newest?.Id && newest.Id !== after ? newest.Id : undefined;
  };

  before(async () => {
    httpPort = await freePort();
    server = await startInProcess({
      localRuntime: testRuntimeSettings(httpPort, { runtimesDir: TEST_RUNTIMES_DIR }),
      logger: (message, fields) => serverLog.push(`${message} ${JSON.stringify(fields ?? {})}`),
    });
    logs = new CloudWatchLogsClient({ endpoint: server.running.endpoint, region: "us-east-1", credentials: server.running.rootKey });
    git = await startGitHttpServer({ root: repoRoot() });
  });

  after(async () => {
    logs?.destroy();
    await server?.close();
    await git?.stop();
    await privateGit?.stop();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it("python-hello configured through the API, from a repository served over git's smart HTTP", { timeout: BUILD_MS }, async () => {
    const repo = makeRepo(PYTHON_HELLO, { dir: join(roots[0] ?? "", "python-hello") });
    const { service, operationId } = await create(
      "python-api",
      code(git.url("python-hello"), {
        ConfigurationSource: "API",
        CodeConfigurationValues: {
          Runtime: "PYTHON_3",
          BuildCommand: "pip install -r requirements.txt",
          StartCommand: "python3 server.py",
          Port: "8080",
          RuntimeEnvironmentVariables: { NAME: "api" },
        },
      }),
    );
    await waitForStatus(server.client, service.ServiceArn ?? "", "RUNNING", BUILD_MS);
    assert.equal(await get(service), "Hello, api! (v1)");
    const log = await deploymentLog(service, operationId);
    assert.match(log, new RegExp(`Deploying commit ${repo.head()}`));
    assert.match(log, /Running build command: pip install -r requirements.txt/);
  });

  it("apprunner.yaml from a file:// repository; webhook and polling deploy pushes; a failing build rolls back", { timeout: BUILD_MS }, async () => {
    const repo: TestRepo = makeRepo({ ...PYTHON_HELLO, "apprunner.yaml": pythonYaml() });
    roots.push(join(repo.dir, ".."));
    const { service } = await create("python-yaml", code(`file://${repo.dir}`, { ConfigurationSource: "REPOSITORY" }, true));
    const arn = service.ServiceArn ?? "";
    await waitForStatus(server.client, arn, "RUNNING", BUILD_MS);
    assert.equal(await get(service), "Hello, yaml! (v1)");

    // A push announced by a signed GitHub-format webhook deploys by itself.
    const v2 = repo.commit({ "server.py": (PYTHON_HELLO["server.py"] ?? "").replace("'v1'", "'v2'") }, "v2");
    const body = JSON.stringify({ ref: "refs/heads/main", after: v2, repository: { clone_url: `file://${repo.dir}` } });
    const secret = readFileSync(join(server.running.dataDir, "git-webhook.secret"), "utf8").trim();
    const hook = await fetch(`${server.running.endpoint}/openrunner/webhooks/git`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` },
      body,
    });
    assert.ok(hook.status < 300, `webhook answered ${hook.status}`);
    await eventually(async () => ((await get(service)) === "Hello, yaml! (v2)" ? true : undefined), BUILD_MS, 500);
    await waitForStatus(server.client, arn, "RUNNING", BUILD_MS);

    // A commit whose build fails: the automatic deployment rolls back and v2 keeps serving.
    const before = (await latestOperation(arn, "")) ?? "";
    repo.commit({ "apprunner.yaml": pythonYaml("python3 -c 'import sys; print(\"tests are failing\"); sys.exit(7)'") }, "broken build");
    await server.running.codeWatcher?.checkAll();
    const failedOp = await eventually(() => latestOperation(arn, before), 30_000, 200);
    assert.equal((await waitForOperation(server.client, arn, failedOp, BUILD_MS)).Status, "ROLLBACK_SUCCEEDED");
    const failedLog = await deploymentLog(service, failedOp);
    assert.match(failedLog, /\[Build\] tests are failing/);
    assert.match(failedLog, /exit code 7|exited with 7|code 7/);
    assert.equal(await get(service), "Hello, yaml! (v2)");

    // Polling finds the fix.
    repo.commit({ "apprunner.yaml": pythonYaml(), "server.py": (PYTHON_HELLO["server.py"] ?? "").replace("'v1'", "'v3'") }, "fixed");
    await server.running.codeWatcher?.checkAll();
    await eventually(async () => ((await get(service)) === "Hello, yaml! (v3)" ? true : undefined), BUILD_MS, 500);
  });

  it("a broken apprunner.yaml fails the deployment with the key and line", { timeout: BUILD_MS }, async () => {
    const repo = makeRepo({ ...PYTHON_HELLO, "apprunner.yaml": "version: 1.0\nruntime: python3\nbuild:\n  commands:\n    build: []\nrun:\n  comand: python3 server.py\n" });
    roots.push(join(repo.dir, ".."));
    const { service, operationId } = await create("broken-yaml", code(`file://${repo.dir}`, { ConfigurationSource: "REPOSITORY" }));
    await waitForStatus(server.client, service.ServiceArn ?? "", "CREATE_FAILED", BUILD_MS);
    const log = await deploymentLog(service, operationId);
    assert.match(log, /apprunner\.yaml line 7: run\.comand/);
  });

  it("a Node.js app installs a dependency from the npm registry, on the exact runtime version it pins", { timeout: BUILD_MS }, async () => {
    const versions = await new RuntimeCatalog({ dir: TEST_RUNTIMES_DIR }).availableVersions("NODEJS_18");
    const pinned = versions.length > 1 ? versions[versions.length - 2] : versions[0];
    assert.ok(pinned);
    const repo = makeRepo({
      "package.json": JSON.stringify({ name: "hello", version: "1.0.0", dependencies: { ms: "2.1.3" }, engines: { node: ">=18" } }),
      "server.js": "const ms = require('ms'); require('http').createServer((q, s) => s.end(`${process.version} ${ms(60000)}\\n`)).listen(process.env.PORT);\n",
      "apprunner.yaml": [
        "version: 1.0",
        "runtime: nodejs18",
        "build:",
        "  commands:",
        "    build:",
        "      - npm install --omit=dev",
        "run:",
        `  runtime-version: ${pinned}`,
        "  command: node server.js",
        "",
      ].join("\n"),
    });
    roots.push(join(repo.dir, ".."));
    const { service } = await create("node-pinned", code(repo.dir, { ConfigurationSource: "REPOSITORY" }));
    await waitForStatus(server.client, service.ServiceArn ?? "", "RUNNING", BUILD_MS);
    assert.equal(await get(service), `v${pinned} 1m`);
  });

  it("a private repository is fetched with its connection's token", { timeout: BUILD_MS }, async () => {
    const token = "ghp_test_token_never_logged";
    const root = repoRoot();
    privateGit = await startGitHttpServer({ root, token });
    makeRepo(PYTHON_HELLO, { dir: join(root, "private") });
    const conn = await server.client.send(new CreateConnectionCommand({ ConnectionName: "private-git", ProviderType: "GITHUB" }));
    const connectionArn = conn.Connection?.ConnectionArn ?? "";
    completeHandshake({ store: server.running.store, clock: { now: () => Date.now() } }, SecretBox.forDataDir(server.running.dataDir), connectionArn, token);
    const { service } = await create(
      "private",
      code(
        privateGit.url("private"),
        { ConfigurationSource: "API", CodeConfigurationValues: { Runtime: "PYTHON_3", StartCommand: "python3 server.py", Port: "8080" } },
        false,
        connectionArn,
      ),
    );
    await waitForStatus(server.client, service.ServiceArn ?? "", "RUNNING", BUILD_MS);
    assert.equal(await get(service), "Hello, world! (v1)");
    assert.ok(!serverLog.join("\n").includes(token), "the token appears in no log line");
  });
});
