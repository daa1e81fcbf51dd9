/**
 * Cluster mode's speed on a three-node swarm of Docker-in-Docker nodes (test/support/
 * swarm-cluster.ts), as a user meets it: `openrunner up --runtime swarm` as a child process,
 * the AWS SDK, images in the built-in registry listening on the nodes' bridge. Must run as root.
 * Talks only to loopback and the bench's own bridge.
 *
 *   node dist/bench/swarm.js [--runs 3] [--out results.json]
 *
 * 1. create -> first 200: CreateService from an image of the built-in registry to the first HTTP
 *    200 through the data plane, against the baseline of the same image as a bare Swarm service
 *    (POST /services/create on the manager, polled at its task's published port).
 * 2. load step -> new replicas serving: MaxConcurrency 2, MaxSize 4, then 8 clients of a 300 ms
 *    page (4x MaxConcurrency): until the first new replica serves, and until all four do
 *    (OpenRunner's ListServiceInstances).
 * 3. node stopped under load: 3 replicas, one per node, 4 clients of `GET /`; a worker node is
 *    killed: failed requests, and the time until three replicas serve again.
 */
import { CreateAutoScalingConfigurationCommand, CreateServiceCommand, DescribeServiceCommand, type AppRunnerClient } from "@aws-sdk/client-apprunner";
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { pushConcurrencyApp, pushHelloApp } from "../test/support/app-images.js";
import { awsJsonCall } from "../test/support/aws-json-call.js";
import { copyToBuiltInRegistry } from "../test/support/built-in-registry.js";
import { startRegistry } from "../test/support/registry.js";
import { freePort, loadLoop, viaRouter } from "../test/support/router-client.js";
import { randomAddressBlock } from "../test/support/runtime-fixture.js";
import { ensureEcrAccessRole } from "../test/support/ecr-access-role.js";
import { startSwarmCluster, type SwarmCluster } from "../test/support/swarm-cluster.js";
import { registryAuthHeaders } from "../src/runtime/swarm/service-spec.js";
import { machineFacts } from "./lib/machine.js";
import { benchClient, startOpenRunnerChild, type BenchOpenRunner } from "./lib/openrunner.js";
import { sleep } from "./lib/proc-status.js";
import { msUntilServed } from "./lib/serving.js";
import { fmt, markdownTable, percentile } from "./lib/stats.js";

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "3" }, out: { type: "string" } } });
const RUNS = Number(args.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error("--runs must be a positive integer");

interface Instance {
  InstanceId: string;
  Node: string;
  Status: string;
  Serving: boolean;
}

const median = (xs: number[]): number => percentile([...xs].sort((a, b) => a - b), 50);

async function servingInstances(or: BenchOpenRunner, serviceArn: string): Promise<Instance[]> {
  const r = await awsJsonCall(or.endpoint, or.credentials, "openrunner", "ListServiceInstances", JSON.stringify({ ServiceArn: serviceArn }));
  return ((r.body.Instances ?? []) as Instance[]).filter((i) => i.Serving && i.Status === "HEALTHY");
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (performance.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function scaling(client: AppRunnerClient, name: string, min: number, max: number, concurrency: number): Promise<string> {
  const out = await client.send(new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: name, MinSize: min, MaxSize: max, MaxConcurrency: concurrency }));
  return out.AutoScalingConfiguration?.AutoScalingConfigurationArn ?? "";
}

async function createService(client: AppRunnerClient, name: string, identifier: string, asc: string, accessRoleArn: string): Promise<{ arn: string; host: string }> {
  const out = await client.send(
    new CreateServiceCommand({
      ServiceName: name,
      SourceConfiguration: {
        AutoDeploymentsEnabled: false,
        AuthenticationConfiguration: { AccessRoleArn: accessRoleArn },
        ImageRepository: { ImageIdentifier: identifier, ImageRepositoryType: "ECR", ImageConfiguration: { Port: "8080" } },
      },
      InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
      AutoScalingConfigurationArn: asc,
    }),
  );
  return { arn: out.Service?.ServiceArn ?? "", host: out.Service?.ServiceUrl ?? "" };
}

/** Until DescribeService says RUNNING: the service answers at its ServiceUrl from then on. */
async function running(client: AppRunnerClient, arn: string): Promise<void> {
  await until("RUNNING", async () => ((await client.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service?.Status === "RUNNING" ? true : undefined), 120_000);
}

/** The baseline: the same image as a bare Swarm service, to its first 200 at the task's published port. */
async function bareSwarmFirst200(cluster: SwarmCluster, image: string, headers: Record<string, string>, name: string): Promise<number> {
  // As the driver's services, on an overlay network of its own (the nodes have no default bridge).
  const network = await cluster.manager.call<{ Id: string }>({ method: "POST", path: "/networks/create", body: { Name: name, Driver: "overlay", Attachable: true } });
  const t0 = performance.now();
  const { ID } = await cluster.manager.call<{ ID: string }>({
    method: "POST",
    path: "/services/create",
    headers,
    body: {
      Name: name,
      TaskTemplate: { ContainerSpec: { Image: image, Env: ["PORT=8080"] }, Networks: [{ Target: network.Id }] },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: "dnsrr", Ports: [{ Protocol: "tcp", TargetPort: 8080, PublishMode: "host" }] },
    },
  });
  try {
    const nodes = await cluster.manager.call<{ ID: string; Status: { Addr: string } }[]>({ path: "/nodes" });
    let last = "no task yet";
    return await until(
      "bare swarm service answers",
      async () => {
        const tasks = await cluster.manager.call<{ NodeID: string; Status: { State: string; Err?: string; PortStatus?: { Ports?: { PublishedPort?: number }[] } } }[]>({
          path: "/tasks",
          query: { filters: JSON.stringify({ service: [ID] }) },
        });
        last = tasks.map((x) => `${x.Status.State} ${x.Status.Err ?? ""}`).join("; ");
        const t = tasks.find((x) => x.Status.State === "running");
        const port = t?.Status.PortStatus?.Ports?.[0]?.PublishedPort;
        const addr = nodes.find((n) => n.ID === t?.NodeID)?.Status.Addr;
        if (!port || !addr) return undefined;
        const res = await fetch(`http://${addr}:${port}/`, { signal: AbortSignal.timeout(1000) });
        return res.status === 200 ? performance.now() - t0 : undefined;
      },
      60_000,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; tasks: ${last}`);
    });
  } finally {
    await cluster.manager.call({ method: "DELETE", path: `/services/${ID}` });
    // The network goes once the service's tasks have left it.
    await until("the bare service's network is removed", () => cluster.manager.call({ method: "DELETE", path: `/networks/${network.Id}` }).then(() => true), 30_000).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("bench/swarm must run as root (private dockerds)");
  const cluster = await startSwarmCluster();
  const source = await startRegistry();
  const [httpPort, registryPort] = [await freePort(), await freePort()];
  let or: BenchOpenRunner | undefined;
  const lines: string[] = [];
  try {
    process.stderr.write(`cluster up in ${Object.values(cluster.startupMs).reduce((a, b) => a + b, 0).toFixed(0)} ms (${JSON.stringify(cluster.startupMs)})\n`);
    or = await startOpenRunnerChild([], {
      upArgs: [
        ...["--runtime", "swarm", "--docker-host", cluster.manager.endpoint, "--registry-host", cluster.gateway, "--registry-port", String(registryPort)],
        ...["--http-port", String(httpPort), "--https-port", "0", "--image-poll-seconds", "0", "--code-poll-seconds", "0", "--address-block", String(randomAddressBlock())],
      ],
      readyTimeoutMs: 60_000,
    });
    const client = benchClient(or.endpoint, or.credentials, 8);
    const account = /account: (\d{12})/.exec(or.server.output())?.[1] ?? "";
    const target = { endpoint: or.endpoint, credentials: or.credentials, registryPort, account, registryHost: cluster.gateway };
    // As on App Runner: an ECR image is pulled with an access role.
    const accessRoleArn = await ensureEcrAccessRole(or.endpoint, or.credentials);
    await Promise.all([...Array.from({ length: RUNS }, (_, i) => pushHelloApp(source.host, "hello", `r${i}`, `r${i}`)), pushConcurrencyApp(source.host, "slow", "1")]);

    // 1. create -> first 200, and the bare-swarm baseline of the same image.
    const create: { openrunner: number; bare: number }[] = [];
    const solo = await scaling(client, "solo", 1, 1, 100);
    for (let i = 0; i < RUNS; i++) {
      const identifier = await copyToBuiltInRegistry(target, `${source.host}/hello:r${i}`, "hello", `r${i}`);
      const t0 = performance.now();
      const svc = await createService(client, `first-${i}`, identifier, solo, accessRoleArn);
      const openrunner = await msUntilServed(httpPort, svc.host, (b) => b.trim() === `r${i}`, t0, { everyMs: 20, timeoutMs: 120_000 });
      const password = (await awsJsonCall(or.endpoint, or.credentials, "ecr", "GetAuthorizationToken", "{}")).body as { authorizationData?: { authorizationToken?: string }[] };
      const basic = Buffer.from(password.authorizationData?.[0]?.authorizationToken ?? "", "base64").toString().slice("AWS:".length);
      const address = `${cluster.gateway}:${registryPort}`;
      const image = `${address}/hello:r${i}`;
      const headers = registryAuthHeaders({ reference: image, auth: { username: "AWS", password: basic, serveraddress: address } });
      const bare = await bareSwarmFirst200(cluster, image, headers, `bare-${i}`);
      create.push({ openrunner, bare });
    }
    lines.push(
      "### create -> first 200 (image from the built-in registry)",
      markdownTable(["run", "OpenRunner (ms)", "bare Swarm service (ms)"], create.map((c, i) => [String(i + 1), fmt(c.openrunner, 0), fmt(c.bare, 0)])),
      `median ${fmt(median(create.map((c) => c.openrunner)), 0)} ms vs ${fmt(median(create.map((c) => c.bare)), 0)} ms bare (target <= 5000 ms)`,
    );

    // 2. load step to 4x MaxConcurrency -> new replicas serving.
    const slow = await copyToBuiltInRegistry(target, `${source.host}/slow:1`, "slow", "1");
    const burst = await scaling(client, "burst", 1, 4, 2);
    const steps: { first: number; all: number; failures: number; kinds: string }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const svc = await createService(client, `burst-${i}`, slow, burst, accessRoleArn);
      await running(client, svc.arn);
      await until("the service serves", async () => ((await servingInstances(or as BenchOpenRunner, svc.arn)).length === 1 ? true : undefined), 120_000);
      const t0 = performance.now();
      const load = loadLoop({ port: httpPort, host: svc.host, path: "/cgi-bin/slow", clients: 8 });
      try {
        const first = await until("a new replica serves", async () => ((await servingInstances(or as BenchOpenRunner, svc.arn)).length >= 2 ? performance.now() - t0 : undefined), 60_000);
        const all = await until("four replicas serve", async () => ((await servingInstances(or as BenchOpenRunner, svc.arn)).length >= 4 ? performance.now() - t0 : undefined), 60_000);
        steps.push({ first, all, failures: 0, kinds: "" });
      } finally {
        await load.stop();
      }
      const last = steps.at(-1);
      if (last) {
        last.failures = load.failures.length;
        last.kinds = [...new Set(load.failures.map((f) => f.slice(0, 40)))].join("; ");
      }
    }
    lines.push(
      "### load step to 4x MaxConcurrency -> new replicas serving",
      markdownTable(["run", "first new replica (ms)", "all 4 replicas (ms)", "failed requests"], steps.map((s, i) => [String(i + 1), fmt(s.first, 0), fmt(s.all, 0), `${s.failures}${s.kinds ? ` (${s.kinds})` : ""}`])),
      `median first new replica ${fmt(median(steps.map((s) => s.first)), 0)} ms (target <= 5000 ms)`,
    );

    // 3. a worker node stopped under load, once (it stays down).
    const hello = await copyToBuiltInRegistry(target, `${source.host}/hello:r0`, "hello", "r0");
    const svc = await createService(client, "sturdy", hello, await scaling(client, "three", 3, 3, 100), accessRoleArn);
    await running(client, svc.arn);
    await until("three replicas serve", async () => ((await servingInstances(or as BenchOpenRunner, svc.arn)).length === 3 ? true : undefined), 120_000);
    const victim = cluster.nodes.find((n) => n.role === "worker")?.name ?? "";
    const load = loadLoop({ port: httpPort, host: svc.host, path: "/", clients: 4 });
    let backMs = 0;
    try {
      await sleep(1000);
      const t0 = performance.now();
      await cluster.stopNode(victim);
      backMs = await until(
        "three replicas serve again",
        async () => {
          const now = await servingInstances(or as BenchOpenRunner, svc.arn);
          return now.length === 3 && now.every((x) => x.Node !== victim) ? performance.now() - t0 : undefined;
        },
        120_000,
      );
      await sleep(1000);
    } finally {
      await load.stop();
    }
    const check = await viaRouter({ port: httpPort, host: svc.host });
    lines.push(
      "### a node stopped under load (4 clients, GET /)",
      markdownTable(["requests answered", "failed requests", "back to 3 serving replicas (ms)"], [[String(load.ok), String(load.failures.length), fmt(backMs, 0)]]),
      `after: ${check.status}; failures: ${load.failures.slice(0, 3).join("; ") || "none"} (targets: 0 failed, <= 30000 ms)`,
    );
    client.destroy();
  } finally {
    await or?.close();
    await cluster.stop();
    await source.stop();
  }
  const report = [`machine: ${JSON.stringify(machineFacts())}`, ...lines].join("\n\n");
  process.stdout.write(`${report}\n`);
  if (args.out) writeFileSync(args.out, JSON.stringify({ report }, null, 2));
}

await main();
