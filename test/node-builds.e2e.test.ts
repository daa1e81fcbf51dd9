import { CreateServiceCommand, DescribeServiceCommand, type Service } from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { codeServiceInput, makeRepo } from "./support/git-server.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { TEST_RUNTIMES_DIR } from "./support/python-hello.js";
import { freePort, viaRouter } from "./support/router-client.js";
import { testRuntimeSettings } from "./support/runtime-fixture.js";

const BUILD_MS = 15 * 60_000;

/** Answers with the output of `command` run by the app itself (what the run image's PATH finds). */
const SERVER_JS = [
  "const { execSync } = require('child_process');",
  "require('http').createServer((q, s) => {",
  "  let out;",
  "  try { out = execSync(process.env.PROBE, { encoding: 'utf8' }).trim(); } catch (e) { out = `failed: ${e.message}`; }",
  "  s.end(`${out}\\n`);",
  "}).listen(process.env.PORT);",
  "",
].join("\n");

const yaml = (lines: string[]): string => ["version: 1.0", "runtime: nodejs18", ...lines, ""].join("\n");

/**
 * Node.js builds the way public apprunner.yaml files write them: global tools installed with npm,
 * yarn and pnpm through corepack, and a package.json whose engines.node names another Node.js.
 */
describe("Node.js builds: global tools, yarn and pnpm, engines.node", { timeout: 3 * BUILD_MS }, () => {
  let server: InProcessServer;
  let logs: CloudWatchLogsClient;
  let httpPort = 0;
  const roots: string[] = [];

  const body = async (s: Service): Promise<string> => (await viaRouter({ port: httpPort, host: s.ServiceUrl ?? "" })).body.trim();
  const deploymentLog = async (s: Service, operationId: string): Promise<string> => {
    const out = await logs.send(
      new GetLogEventsCommand({ logGroupName: `/aws/apprunner/${s.ServiceName}/${s.ServiceId}/service`, logStreamName: `deployment/${operationId}`, startFromHead: true }),
    );
    return (out.events ?? []).map((e) => e.message ?? "").join("\n");
  };
  async function deploy(name: string, files: Record<string, string>): Promise<{ service: Service; log: string }> {
    const repo = makeRepo(files);
    roots.push(join(repo.dir, ".."));
    const out = await server.client.send(
      new CreateServiceCommand(codeServiceInput(name, repo.dir)),
    );
    const service = out.Service;
    assert.ok(service);
    const settled = await eventually(async () => {
      const now = (await server.client.send(new DescribeServiceCommand({ ServiceArn: service.ServiceArn }))).Service;
      return now?.Status === "RUNNING" || now?.Status === "CREATE_FAILED" ? now : undefined;
    }, BUILD_MS, 250);
    const log = await deploymentLog(service, out.OperationId ?? "");
    assert.equal(settled.Status, "RUNNING", `${name} did not reach RUNNING; its deployment log:\n${log}`);
    return { service, log };
  }

  before(async () => {
    httpPort = await freePort();
    server = await startInProcess({ localRuntime: testRuntimeSettings(httpPort, { runtimesDir: TEST_RUNTIMES_DIR }) });
    logs = new CloudWatchLogsClient({ endpoint: server.running.endpoint, region: "us-east-1", credentials: server.running.rootKey });
  });

  after(async () => {
    logs?.destroy();
    await server?.close();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  it("npm install -g yarn: yarn runs in the next build command, in pre-run and from the app", { timeout: BUILD_MS }, async () => {
    const { service, log } = await deploy("global-yarn", {
      "package.json": JSON.stringify({ name: "global-yarn", version: "1.0.0" }),
      "server.js": SERVER_JS,
      "apprunner.yaml": yaml([
        "build:",
        "  commands:",
        "    build:",
        "      - npm install -g yarn@1.22.22",
        "      - echo \"built with yarn $(yarn --version)\"",
        "run:",
        "  pre-run:",
        "    - echo \"pre-run yarn $(yarn --version)\" > /tmp/pre-run.txt",
        "  command: node server.js",
        "  env:",
        "    - name: PROBE",
        "      value: cat /tmp/pre-run.txt; yarn --version",
      ]),
    });
    assert.match(log, /\[Build\] built with yarn 1\.22\.22/);
    assert.equal(await body(service), "pre-run yarn 1.22.22\n1.22.22");
  });

  it("yarn and pnpm through corepack, as apprunner.yaml files call them", { timeout: BUILD_MS }, async () => {
    const { service, log } = await deploy("corepack", {
      "package.json": JSON.stringify({ name: "corepack-app", version: "1.0.0", scripts: { start: "node server.js" }, dependencies: { ms: "2.1.3" } }),
      "server.js": SERVER_JS,
      "apprunner.yaml": yaml([
        "build:",
        "  commands:",
        "    build:",
        "      - yarn install",
        "      - echo \"pnpm $(pnpm --version)\"",
        "      - node -e \"console.log('ms says', require('ms')(60000))\"",
        "run:",
        "  command: yarn start",
        "  env:",
        "    - name: PROBE",
        "      value: yarn --version",
      ]),
    });
    assert.match(log, /\[Build\] ms says 1m/);
    assert.match(log, /\[Build\] pnpm \d+\.\d+\.\d+/);
    assert.match(await body(service), /^\d+\.\d+\.\d+$/, "yarn runs in the instance too");
  });

  it("package.json engines.node for another Node.js warns in the deployment log and builds", { timeout: BUILD_MS }, async () => {
    const { service, log } = await deploy("old-engines", {
      "package.json": JSON.stringify({ name: "old-engines", version: "1.0.0", engines: { node: "v10.6.0" } }),
      "server.js": SERVER_JS,
      "apprunner.yaml": yaml(["build:", "  commands:", "    build:", "      - node --version", "run:", "  command: node server.js", "  env:", "    - name: PROBE", "      value: node --version"]),
    });
    assert.match(log, /Warning: package\.json engines\.node "v10\.6\.0" does not allow Node\.js 18 \(runtime nodejs18\)/);
    assert.match(await body(service), /^v18\./);
  });
});
