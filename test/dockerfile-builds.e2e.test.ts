import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceCommand,
  StartDeploymentCommand,
  type AppRunnerClient,
  type Service,
} from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { firewallCounters } from "../src/executor/firewall.js";
import { codeServiceInput, makeRepo, type TestRepo } from "./support/git-server.js";
import { credentialsIn, eventually } from "./support/harness.js";
import { LocalServer, runtimePrefix } from "./support/local-server.js";
import { copyToBuiltInRegistry } from "./support/built-in-registry.js";
import { multiStage, packageJson, SERVER_JS } from "./support/dockerfile-app.js";
import { pushNodeBaseImage } from "./support/node-base-image.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { waitForOperation, waitForStatus } from "./support/runtime-fixture.js";

const BUILD_MS = 5 * 60_000;

/**
 * Dockerfile builds (OpenRunner's extension) in a real `openrunner up`: buildah in the build
 * sandbox, base images from a loopback registry, the layer cache per service, failures that
 * name the step and its exit code, and RUN steps that reach the internet but not the host.
 */
describe("Dockerfile builds (openrunner up, buildah in the build sandbox)", { timeout: 4 * BUILD_MS }, () => {
  const srv = new LocalServer("openrunner-dockerfile-", { registry: true });
  let registry: TestRegistry;
  let client: AppRunnerClient;
  let logs: CloudWatchLogsClient;
  let base = "";
  const repos: TestRepo[] = [];
  let hostService: Server | undefined;
  let hostConnections = 0;

  const deploymentLog = async (s: Service, operationId: string): Promise<string> => {
    const out = await logs.send(
      new GetLogEventsCommand({ logGroupName: `/aws/apprunner/${s.ServiceName}/${s.ServiceId}/service`, logStreamName: `deployment/${operationId}`, startFromHead: true }),
    );
    return (out.events ?? []).map((e) => e.message ?? "").join("\n");
  };
  const settled = async (s: Service, operationId: string): Promise<string> =>
    (await waitForOperation(client, s.ServiceArn ?? "", operationId, BUILD_MS)).Status ?? "";
  async function create(name: string, repo: TestRepo): Promise<{ service: Service; operationId: string }> {
    const out = await client.send(
      new CreateServiceCommand(codeServiceInput(name, repo.dir)),
    );
    assert.ok(out.Service && out.OperationId);
    return { service: out.Service, operationId: out.OperationId };
  }

  before(async () => {
    registry = await startRegistry();
    const source = await pushNodeBaseImage(registry.host);
    client = await srv.start();
    const endpoint = srv.current?.server.endpoint ?? "";
    // The base image lives in the user's own ECR repository, and the Dockerfile names it as on AWS.
    base = await copyToBuiltInRegistry(srv, source, "node", "18");
    logs = new CloudWatchLogsClient({ endpoint, region: "us-east-1", credentials: credentialsIn(srv.data.dir) });
    hostService = createServer((sock) => {
      hostConnections++;
      sock.end("host secret\n");
    });
    await new Promise<void>((r) => hostService?.listen(0, "0.0.0.0", () => r()));
  });

  after(async () => {
    logs?.destroy();
    await new Promise<void>((r) => (hostService ? hostService.close(() => r()) : r()));
    try {
      await srv.cleanup();
    } finally {
      await registry?.stop();
      for (const repo of repos) rmSync(join(repo.dir, ".."), { recursive: true, force: true });
    }
  });

  it("builds a multi-stage Node.js app from its Dockerfile, serves it, rebuilds a new commit from the layer cache, and a failing RUN step rolls back", { timeout: 3 * BUILD_MS }, async (t) => {
    const repo = makeRepo({ Dockerfile: multiStage(base), "package.json": packageJson("exit 0"), "server.js": SERVER_JS, "message.txt": "version one\n" });
    repos.push(repo);
    const { service, operationId } = await create("Dockerfile_App", repo);
    const first = await settled(service, operationId);
    const firstLog = await deploymentLog(service, operationId);
    assert.equal(first, "SUCCEEDED", `the first deployment failed; its log:\n${firstLog}`);
    assert.match(firstLog, /a Dockerfile build, an OpenRunner extension/);
    assert.match(firstLog, /\[Build\] \[2\/2\] STEP \d+\/\d+: COPY --from=build/);
    const url = (await client.send(new DescribeServiceCommand({ ServiceArn: service.ServiceArn }))).Service?.ServiceUrl ?? "";
    const v1 = await srv.via(url);
    assert.equal(v1.status, 200);
    assert.match(v1.body, /^version one \(deps of df-app, node v18\.\d+\.\d+\)$/);

    // A new commit that changes only message.txt: the steps before `COPY . .` come from the cache.
    repo.commit({ "message.txt": "version two\n" });
    const second = await client.send(new StartDeploymentCommand({ ServiceArn: service.ServiceArn }));
    const secondStatus = await settled(service, second.OperationId ?? "");
    const secondLog = await deploymentLog(service, second.OperationId ?? "");
    assert.equal(secondStatus, "SUCCEEDED", `the rebuild failed; its log:\n${secondLog}`);
    assert.match(secondLog, /STEP \d+\/\d+: RUN node -e "require\('fs'\)\.writeFileSync\('deps\.txt'[^\n]*\n\[Build\] --> Using cache [0-9a-f]+/);
    assert.match(secondLog, /\(\d+ steps from the layer cache\)/);
    assert.doesNotMatch(firstLog, /Using cache/);
    // Both imports start from the base image, unpacked once in the image store; the rebuild writes none of the last build's layers again.
    for (const text of [firstLog, secondLog]) assert.match(text, /\[AppRunner\] Started from the unpacked base image sha256:[0-9a-f]{64} \(\d+ of \d+ layers\)/);
    assert.match(secondLog, /Image written in [^\n]*\(\d+ layers? of the last build reused\)\./);
    assert.match((await srv.via(url)).body, /^version two /);
    // Numbers for the report (never asserted: the machine is shared).
    for (const [name, text] of [["cold", firstLog], ["warm", secondLog]] as const) {
      t.diagnostic(`${name}: ${[...text.matchAll(/(Dockerfile built in [^(]+|written in [^,]+|imported in [\d.]+ m?s|ready in \S+)/g)].map((m) => m[1]).join(", ")}`);
    }

    // The same commit again: every step from the cache, the same image, nothing written again.
    const again = await client.send(new StartDeploymentCommand({ ServiceArn: service.ServiceArn }));
    const againStatus = await settled(service, again.OperationId ?? "");
    const againLog = await deploymentLog(service, again.OperationId ?? "");
    assert.equal(againStatus, "SUCCEEDED", `the redeployment failed; its log:\n${againLog}`);
    assert.match(againLog, /The built image is the one of the last build \([0-9a-f]{12}\): it is reused as it is\./);
    assert.match((await srv.via(url)).body, /^version two /);
    t.diagnostic(`same commit: ready in ${/ready in (.+?)\.$/m.exec(againLog)?.[1] ?? "?"}`);

    // A failing RUN step: the deployment fails with the step and its exit code; version two keeps serving.
    repo.commit({ "package.json": packageJson("echo 'the tests fail' && exit 1"), "message.txt": "version three\n" });
    const third = await client.send(new StartDeploymentCommand({ ServiceArn: service.ServiceArn }));
    const thirdStatus = await settled(service, third.OperationId ?? "");
    const thirdLog = await deploymentLog(service, third.OperationId ?? "");
    assert.equal(thirdStatus, "ROLLBACK_SUCCEEDED", `the failing build did not roll back; its log:\n${thirdLog}`);
    assert.match(thirdLog, /\[Build\] the tests fail/);
    assert.match(thirdLog, /\[Build\] Step RUN npm test failed with exit code 1/);
    const now = await waitForStatus(client, service.ServiceArn ?? "", "RUNNING");
    assert.equal(now.Status, "RUNNING");
    assert.match((await srv.via(url)).body, /^version two /);

    // Deleting the service removes its layer cache.
    const cache = join(srv.data.dir, "build-cache", service.ServiceId ?? "");
    assert.ok(existsSync(join(cache, "buildah")), "the layer cache exists while the service does");
    await client.send(new DeleteServiceCommand({ ServiceArn: service.ServiceArn }));
    await eventually(async () => (existsSync(cache) ? undefined : true), 60_000, 250);
  });

  it("an apprunner.yaml openrunner key picks the Dockerfile and its build arguments; RUN steps reach the npm registry but nothing on the host", { timeout: BUILD_MS }, async () => {
    const apiPort = new URL(srv.current?.server.endpoint ?? "").port;
    const hostPort = String((hostService?.address() as { port: number }).port);
    const registryPort = registry.host.split(":")[1] ?? "";
    const layout = { prefix: runtimePrefix(srv.data.dir), addressBlock: srv.block, instancesDir: "", egress: true };
    const refusedBefore = (await firewallCounters(layout)).host;
    // Tries each host:port for 3 s and prints what it got: the default route's gateway is the host's end of the veth.
    const probe = [
      "const net = require('net'); const fs = require('fs');",
      "const hex = fs.readFileSync('/proc/net/route', 'utf8').split('\\n').map((l) => l.split('\\t')).find((f) => f[1] === '00000000')[2];",
      "const gw = [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');",
      "const targets = process.argv.slice(2).map((t) => t.replace('GATEWAY', gw));",
      "Promise.all(targets.map((t) => new Promise((done) => {",
      "  const [host, port] = t.split(':');",
      "  const s = net.connect({ host, port: Number(port) });",
      "  let got = '';",
      "  s.setTimeout(3000, () => { s.destroy(); done(`${t} timeout`); });",
      "  s.on('data', (d) => (got += d));",
      "  s.on('connect', () => { s.write('GET / HTTP/1.0\\r\\n\\r\\n'); });",
      "  s.on('close', () => done(`${t} ${got ? 'answered' : 'nothing'}`));",
      "  s.on('error', (e) => done(`${t} ${e.code}`));",
      "}))).then((r) => r.forEach((l) => console.log('probe ' + l)));",
      "",
    ].join("\n");
    const repo = makeRepo({
      "apprunner.yaml": [
        "version: 1.0",
        "openrunner:",
        "  dockerfile: build/App.Dockerfile",
        "  build-args:",
        "    - name: BASE",
        `      value: ${base}`,
        "    - name: TARGETS",
        `      value: 127.0.0.1:${apiPort} GATEWAY:${apiPort} GATEWAY:${hostPort} 127.0.0.1:${hostPort} GATEWAY:${registryPort} 127.0.0.1:${registryPort}`,
        "",
      ].join("\n"),
      "build/App.Dockerfile": [
        "ARG BASE",
        "FROM ${BASE}",
        "ARG TARGETS",
        "COPY probe.js server.js /app/",
        // Node.js has its own CA list: the host's bundle (mounted in RUN steps) holds a TLS-inspecting proxy's CA.
        "RUN echo \"npm registry says is-number $(NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt npm view is-number version)\"",
        "RUN node /app/probe.js $TARGETS",
        "RUN echo 'egress checked' > /app/message.txt",
        "WORKDIR /app",
        `CMD ["node", "server.js"]`,
        "",
      ].join("\n"),
      "probe.js": probe,
      "server.js": SERVER_JS.replace("listen(3000)", "listen(8080)"),
    });
    repos.push(repo);
    const { service, operationId } = await create("dockerfile-egress", repo);
    const status = await settled(service, operationId);
    const log = await deploymentLog(service, operationId);
    assert.equal(status, "SUCCEEDED", `the deployment failed; its log:\n${log}`);
    assert.match(log, /openrunner\.dockerfile/);
    assert.match(log, /\[Build\] npm registry says is-number \d+\.\d+\.\d+/);
    const probes = [...log.matchAll(/\[Build\] probe (\S+) (\S+)/g)].map((m) => `${m[1]} ${m[2]}`);
    assert.equal(probes.length, 6, log);
    for (const p of probes) assert.doesNotMatch(p, / answered$/, `a RUN step reached a host service: ${p}`);
    assert.equal(hostConnections, 0, "the host's service saw no connection from the build");
    // The host's side was refused by the runtime's firewall (not merely found closed).
    for (const p of probes.filter((x) => !x.startsWith("127.0.0.1:"))) assert.match(p, / ECONNREFUSED$/, p);
    assert.ok((await firewallCounters(layout)).host >= refusedBefore + 3, "the firewall's host counter counts the three refusals");
    const url = (await client.send(new DescribeServiceCommand({ ServiceArn: service.ServiceArn }))).Service?.ServiceUrl ?? "";
    assert.equal((await srv.via(url)).body, "egress checked");
  });
});
