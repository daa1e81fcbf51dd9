/**
 * Instances and builds of a real OpenRunner reach the internet (the npm registry) and nothing
 * else: not the host (its loopback services, the control plane's API, its LAN address, a local
 * registry), not another instance, not link-local or private ranges. Every refusal happens on
 * this machine (the firewall's counters count them); nothing is sent to any other address. Also:
 * an instance's writes stop at its ephemeral storage, and its mountinfo shows no host path.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { CreateServiceCommand, DescribeServiceCommand, type Service } from "@aws-sdk/client-apprunner";
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CA_BUNDLE_PATH } from "../src/builder/sandbox/spec.js";
import type { LocalRuntimeDriver } from "../src/runtime/local/driver.js";
import { firewallCounters, type FirewallCounter } from "../src/executor/firewall.js";
import { networkForSlot } from "../src/executor/network.js";
import type { HostLayout } from "../src/executor/types.js";
import { eventually, startInProcess, type InProcessServer } from "./support/harness.js";
import { makeRepo } from "./support/git-server.js";
import { buildProbeRepo, pushProbeApp } from "./support/probe-app.js";
import { startRegistry, type TestRegistry } from "./support/registry.js";
import { freePort } from "./support/router-client.js";
import { httpText, randomAddressBlock, waitForStatus } from "./support/runtime-fixture.js";
import { TEST_RUNTIMES_DIR } from "./support/python-hello.js";

const BUILD_MS = 15 * 60_000;
const EPHEMERAL_BYTES = 32 * 1024 * 1024;

/** Whether this machine itself reaches the registry: the only reason to skip the egress checks. */
async function hostReachesRegistry(): Promise<boolean> {
  return fetch("https://registry.npmjs.org/", { signal: AbortSignal.timeout(10_000) }).then(
    () => true,
    () => false,
  );
}

function hostLanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal && !a.address.startsWith("127.")) return a.address;
  }
  return undefined;
}

/** The host's end of an instance's /30 (.1 below its .2). */
const gatewayOf = (address: string): string => address.replace(/\d+$/, (last) => String(Number(last) - 1));

describe("egress: instances and builds reach the internet and nothing else", { timeout: BUILD_MS }, () => {
  let server: InProcessServer;
  let registry: TestRegistry;
  let hostService: Server;
  let hostPort = 0;
  let registryPort = 0;
  let apiPort = 0;
  let layout: HostLayout;
  let reachable = true;
  const hostConnections: string[] = [];
  const roots: string[] = [];
  const driver = (): LocalRuntimeDriver => server.running.driver as LocalRuntimeDriver;

  before(async () => {
    // A service on every host address, loopback included: nothing from inside may ever reach it.
    hostService = createServer((sock) => {
      hostConnections.push(String(sock.remoteAddress));
      sock.end("host service\n");
    });
    await new Promise<void>((r) => hostService.listen(0, "0.0.0.0", () => r()));
    hostPort = (hostService.address() as { port: number }).port;
    const addressBlock = randomAddressBlock();
    // The built-in registry's front door too: only a token opens it, and instances and builds do not even reach it.
    registryPort = await freePort();
    server = await startInProcess({
      registry: { port: registryPort },
      localRuntime: {
        addressBlock,
        stopGraceMs: 1000,
        imagePollMs: 0,
        codePollMs: 0,
        runtimesDir: TEST_RUNTIMES_DIR,
        ephemeralStorageBytes: EPHEMERAL_BYTES,
      },
    });
    apiPort = Number(new URL(server.running.endpoint).port);
    const prefix = server.running.store.meta.get("runtime_prefix") ?? "";
    layout = { prefix, addressBlock, instancesDir: join(server.running.dataDir, "runtime", "instances"), egress: true };
    registry = await startRegistry();
    reachable = await hostReachesRegistry();
  });

  after(async () => {
    await server?.close();
    await registry?.stop();
    hostService?.close();
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  async function createImageService(name: string, port = "8080"): Promise<Service> {
    const out = await server.client.send(
      new CreateServiceCommand({
        ServiceName: name,
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          ImageRepository: { ImageIdentifier: `${registry.host}/probe:v1`, ImageRepositoryType: "ECR_PUBLIC", ImageConfiguration: { Port: port } },
        },
        InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
      }),
    );
    return waitForStatus(server.client, out.Service?.ServiceArn ?? "", "RUNNING");
  }

  const instanceOf = (s: Service): { address: string; port: number; egress: string; dir: string; instanceId: string } => {
    const [i] = driver().instances(s.ServiceId);
    assert.ok(i, `an instance of ${s.ServiceName}`);
    const [, , third = 0, fourth = 0] = i.address.split(".").map(Number);
    const slot = (third * 256 + fourth - 2) / 4;
    return { ...i, egress: networkForSlot(layout, slot).egressAddress, dir: join(layout.instancesDir, i.instanceId) };
  };

  const refusedCounts = async (): Promise<Record<FirewallCounter, number>> => firewallCounters(layout);

  const deploymentLog = async (s: Service, operationId: string): Promise<string> => {
    const logs = new CloudWatchLogsClient({ endpoint: server.running.endpoint, region: "us-east-1", credentials: server.running.rootKey });
    try {
      const out = await logs.send(
        new GetLogEventsCommand({ logGroupName: `/aws/apprunner/${s.ServiceName}/${s.ServiceId}/service`, logStreamName: `deployment/${operationId}`, startFromHead: true }),
      );
      return (out.events ?? []).map((e) => e.message ?? "").join("\n");
    } finally {
      logs.destroy();
    }
  };

  /** probe-a, made by whichever test needs it first. */
  let probeA: Promise<Service> | undefined;
  const probeService = (): Promise<Service> =>
    (probeA ??= pushProbeApp(registry.host, "probe", "v1").then(() => createImageService("probe-a")));

  it("an instance resolves and connects to the registry; the host, the API, another instance, metadata and private ranges are refused", async () => {
    // Another port than probe-a's: inside probe-a, every 127/8 address is its own loopback.
    const [a, b] = [instanceOf(await probeService()), instanceOf(await createImageService("probe-b", "8081"))];

    if (reachable) {
      const egress = (await httpText(`http://${a.address}:${a.port}/cgi-bin/egress`, 60_000)).body;
      assert.match(egress, /Name:\s+registry\.npmjs\.org/, egress);
      assert.match(egress, /nslookup=0\nnc=0/, egress);
    }

    const before = await refusedCounts();
    const lan = hostLanAddress();
    const targets = [
      `${gatewayOf(a.address)}:${hostPort}`,
      `${gatewayOf(a.address)}:${apiPort}`,
      `127.0.0.1:${hostPort}`,
      `127.0.0.1:${apiPort}`,
      `${gatewayOf(a.address)}:${registryPort}`,
      `127.0.0.1:${registryPort}`,
      ...(lan ? [`${lan}:${hostPort}`] : []),
      `${b.address}:${b.port}`,
      `${b.egress}:${b.port}`,
      "169.254.169.254:80",
      "10.0.0.1:80",
      "192.168.0.1:80",
    ];
    const probe = (await httpText(`http://${a.address}:${a.port}/cgi-bin/probe?${targets.join(",")}`, 60_000)).body;
    for (const t of targets) assert.match(probe, new RegExp(`^${t.replaceAll(".", "\\.")} exit=1 .*Connection refused`, "m"), probe);
    const after = await refusedCounts();
    assert.deepEqual(hostConnections, [], "no connection reached the host's service");
    assert.ok(after.host >= before.host + (lan ? 3 : 2), `the host's own addresses are refused by the firewall: ${JSON.stringify({ before, after })}`);
    assert.ok(after.peers > before.peers, "another instance's egress address: refused");
    assert.ok(after.blocked >= before.blocked + 3, "metadata and private ranges: refused before leaving");
  });

  it("an instance's writes stop at its ephemeral storage (ENOSPC), and its mountinfo shows no host path", async () => {
    const a = instanceOf(await probeService());
    const fill = (await httpText(`http://${a.address}:${a.port}/cgi-bin/fill`, 60_000)).body;
    assert.match(fill, /No space left on device/, fill);
    assert.match(fill, /dd=1/, fill);
    const image = statSync(join(a.dir, "disk.img"));
    assert.equal(image.size, EPHEMERAL_BYTES);
    assert.ok(image.blocks * 512 <= EPHEMERAL_BYTES, `the host holds ${image.blocks * 512} bytes for it, at most the limit`);
    const mounts = (await httpText(`http://${a.address}:${a.port}/cgi-bin/mountinfo`)).body;
    assert.match(mounts, / - overlay overlay rw,lowerdir=lower,upperdir=disk\/upper,workdir=disk\/work/);
    assert.ok(!mounts.includes(server.running.dataDir), mounts);
  });

  it("a build installs from the registry as root of its own user namespace and reaches nothing else", { timeout: BUILD_MS }, async () => {
    const target = instanceOf(await probeService());
    const lan = hostLanAddress();
    const targets = [
      `GATEWAY:${hostPort}`,
      `GATEWAY:${apiPort}`,
      `127.0.0.1:${hostPort}`,
      `127.0.0.1:${apiPort}`,
      `127.0.0.1:${new URL(`http://${registry.host}`).port}`,
      `GATEWAY:${registryPort}`,
      `127.0.0.1:${registryPort}`,
      ...(lan ? [`${lan}:${hostPort}`, `${lan}:${apiPort}`] : []),
      `${target.address}:${target.port}`,
      `${target.egress}:${target.port}`,
      "169.254.169.254:80",
      "10.0.0.1:80",
      "172.16.0.1:80",
    ];
    const root = mkdtempSync(join(tmpdir(), "openrunner-git-"));
    roots.push(root);
    const ca = existsSync(CA_BUNDLE_PATH) ? readFileSync(CA_BUNDLE_PATH, "utf8") : undefined;
    const repo = makeRepo(buildProbeRepo(targets, ca), { dir: join(root, "build-probe") });
    const before = await refusedCounts();
    const out = await server.client.send(
      new CreateServiceCommand({
        ServiceName: "build-probe",
        SourceConfiguration: {
          AutoDeploymentsEnabled: false,
          CodeRepository: {
            RepositoryUrl: `file://${repo.dir}`,
            SourceCodeVersion: { Type: "BRANCH", Value: "main" },
            CodeConfiguration: { ConfigurationSource: "REPOSITORY" },
          },
        },
        InstanceConfiguration: { Cpu: "1 vCPU", Memory: "2 GB" },
      }),
    );
    const arn = out.Service?.ServiceArn ?? "";
    const settled = await eventually(async () => {
      const s = (await server.client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service;
      return s?.Status === "OPERATION_IN_PROGRESS" ? undefined : s;
    }, BUILD_MS, 500);
    assert.equal(settled.Status, "RUNNING", await deploymentLog(settled, out.OperationId ?? ""));
    const app = instanceOf(settled);
    const result = JSON.parse((await httpText(`http://${app.address}:${app.port}/`)).body) as {
      uidMap: string;
      ms: string;
      registry: number | string;
      targets: Record<string, string>;
    };
    const after = await refusedCounts();
    // npm install from the registry worked, as root inside, nobody on the host.
    assert.equal(result.ms, "1m");
    assert.match(result.uidMap, /^0\s+2000000000\s+65536$/);
    if (reachable) assert.equal(result.registry, 200);
    for (const t of targets) assert.equal(result.targets[t], "ECONNREFUSED", `${t}: ${JSON.stringify(result.targets)}`);
    assert.deepEqual(hostConnections, [], "no connection reached the host's service");
    assert.ok(after.host >= before.host + 2, `the host through the build's veth: ${JSON.stringify({ before, after })}`);
    assert.ok(after.peers > before.peers, "an instance's egress address: refused");
    assert.ok(after.blocked >= before.blocked + 3, "metadata and private ranges: refused before leaving");

    // The running instance of that build resolves and fetches https://registry.npmjs.org/ itself.
    if (reachable) {
      const fetched = JSON.parse((await httpText(`http://${app.address}:${app.port}/fetch`, 60_000)).body) as { address?: string; status?: number; error?: string };
      assert.match(fetched.address ?? "", /^\d+\.\d+\.\d+\.\d+$/, JSON.stringify(fetched));
      assert.equal(fetched.status, 200, JSON.stringify(fetched));
    }
  });
});
