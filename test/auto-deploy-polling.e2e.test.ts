import { CreateServiceCommand, DeleteServiceCommand, ListOperationsCommand, type AppRunnerClient, type Service } from "@aws-sdk/client-apprunner";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { pushHelloApp } from "./support/app-images.js";
import { makeRepo, type TestRepo } from "./support/git-server.js";
import { eventually } from "./support/harness.js";
import { LocalServer } from "./support/local-server.js";
import { PYTHON_HELLO, TEST_RUNTIMES_DIR } from "./support/python-hello.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { waitForStatus } from "./support/runtime-fixture.js";

const BUILD_MS = 10 * 60_000;

/**
 * Automatic deployment by polling alone, in a real `openrunner up` with 1 s polls: no registry
 * notification, no webhook, no hand-called checkAll(). The services are created after the first
 * polls found nothing to watch, as on every fresh start.
 */
describe("automatic deployment by polling (openrunner up, real timers)", { timeout: 2 * BUILD_MS }, () => {
  const srv = new LocalServer("openrunner-autodeploy-", {
    extraArgs: ["--runtimes-dir", TEST_RUNTIMES_DIR, "--image-poll-seconds", "1", "--code-poll-seconds", "1"],
  });
  let registry: TestRegistry;
  let client: AppRunnerClient;
  let repo: TestRepo;
  const services: Service[] = [];

  const body = async (s: Service): Promise<string> => (await srv.via(s.ServiceUrl ?? "")).body;
  const triggers = async (s: Service): Promise<string[]> => {
    const ops = (await client.send(new ListOperationsCommand({ ServiceArn: s.ServiceArn }))).OperationSummaryList ?? [];
    return ops.map((o) => `${o.Type}:${o.Status}`);
  };

  before(async () => {
    registry = await startRegistry();
    await pushHelloApp(registry.host, "hello", "latest", "v1");
    repo = makeRepo(PYTHON_HELLO);
    client = await srv.start();
  });

  after(async () => {
    for (const s of services) await client?.send(new DeleteServiceCommand({ ServiceArn: s.ServiceArn })).catch(() => undefined);
    await srv.stop("SIGTERM");
    try {
      await srv.cleanup();
    } finally {
      await registry?.stop();
    }
    if (repo) rmSync(join(repo.dir, ".."), { recursive: true, force: true });
  });

  it("deploys a new image digest and a new commit found by polling alone", async () => {
    // Several polls find nothing to watch before any service exists.
    await sleep(2500);
    const image = await client.send(
      new CreateServiceCommand({
        ServiceName: "polled-image",
        SourceConfiguration: {
          AutoDeploymentsEnabled: true,
          ImageRepository: { ImageIdentifier: `${registry.host}/hello:latest`, ImageRepositoryType: "ECR_PUBLIC", ImageConfiguration: { Port: "8080" } },
        },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
      }),
    );
    const code = await client.send(
      new CreateServiceCommand({
        ServiceName: "polled-code",
        SourceConfiguration: {
          AutoDeploymentsEnabled: true,
          CodeRepository: {
            RepositoryUrl: `file://${repo.dir}`,
            SourceCodeVersion: { Type: "BRANCH", Value: "main" },
            CodeConfiguration: {
              ConfigurationSource: "API",
              CodeConfigurationValues: { Runtime: "PYTHON_3", StartCommand: "python3 server.py", Port: "8080" },
            },
          },
        },
        InstanceConfiguration: { Cpu: "1 vCPU", Memory: "2 GB" },
      }),
    );
    for (const out of [image, code]) if (out.Service) services.push(out.Service);
    const [imageService, codeService] = services;
    assert.ok(imageService && codeService);
    await waitForStatus(client, imageService.ServiceArn ?? "", "RUNNING", BUILD_MS);
    await waitForStatus(client, codeService.ServiceArn ?? "", "RUNNING", BUILD_MS);
    assert.equal(await body(imageService), "v1");
    assert.equal(await body(codeService), "Hello, world! (v1)");

    // Only the tag and the branch move; nothing tells OpenRunner.
    await pushHelloApp(registry.host, "hello", "latest", "v2-polled");
    repo.commit({ "server.py": (PYTHON_HELLO["server.py"] ?? "").replace("'v1'", "'v2-polled'") }, "v2");

    const failure = (err: unknown): Error => new Error(`${String(err)}\nopenrunner up said:\n${srv.current?.server.output().slice(-8000)}`);
    await eventually(async () => ((await body(imageService)) === "v2-polled" ? true : undefined), 60_000, 250).catch((err: unknown) => {
      throw failure(err);
    });
    await eventually(async () => ((await body(codeService)) === "Hello, world! (v2-polled)" ? true : undefined), BUILD_MS, 500).catch((err: unknown) => {
      throw failure(err);
    });
    for (const s of [imageService, codeService]) {
      await waitForStatus(client, s.ServiceArn ?? "", "RUNNING", BUILD_MS);
      assert.deepEqual(await triggers(s), ["START_DEPLOYMENT:SUCCEEDED", "CREATE_SERVICE:SUCCEEDED"], s.ServiceName);
    }
    // The automatic deployments were started by the watchers' polls.
    const log = srv.current?.server.output() ?? "";
    assert.match(log, /"message":"automatic deployment started".*polled-image/);
    assert.match(log, /"message":"automatic deployment started".*polled-code/);
  });
});
