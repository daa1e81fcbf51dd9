/**
 * The built-in registry's speed, as an App Runner user meets it: `openrunner up --runtime
 * local` as a child process, its ECR API through the AWS SDK, pushes with skopeo after
 * `GetAuthorizationToken`. Must run as root (runc, network namespaces). Talks only to 127.x.
 *
 *   node dist/bench/registry.js [--runs 3] [--mb 40] [--out results.json]
 *
 * 1. push: `skopeo copy` of a `--mb` MB image (one incompressible layer plus busybox) from a
 *    plain loopback registry into the built-in one (ECR token, front door, token-auth
 *    distribution), against the same copy into a second plain distribution registry (the
 *    baseline: direct access, no front door, no tokens).
 * 2. push → first 200: the push, then CreateService from the image's ECR name to the first
 *    HTTP 200 through the data plane (polled every 20 ms).
 * 3. push of the followed tag → new version serving: a new image under the tag a service with
 *    AutoDeploymentsEnabled follows (no polling: the registry's push notification deploys it),
 *    from the start of the push to the data plane answering with the new version.
 */
import { CreateServiceCommand, type AppRunnerClient } from "@aws-sdk/client-apprunner";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { buildAndPushImage } from "../test/support/oci-image.js";
import { startRegistry, type TestRegistry } from "../test/support/registry.js";
import { skopeoOk } from "../test/support/skopeo.js";
import { accountIn, ecrPassword } from "../test/support/built-in-registry.js";
import { freePort } from "../test/support/router-client.js";
import { ensureEcrAccessRole } from "../test/support/ecr-access-role.js";
import { deleteServicesAndWait, hostLeftoversLine } from "./lib/cleanup.js";
import { machineFacts } from "./lib/machine.js";
import { msUntilServed } from "./lib/serving.js";
import { benchClient, startOpenRunnerChild, type BenchOpenRunner } from "./lib/openrunner.js";
import { sleep } from "./lib/proc-status.js";
import { fmt, markdownTable, percentile } from "./lib/stats.js";

const { values: args } = parseArgs({
  options: { runs: { type: "string", default: "3" }, mb: { type: "string", default: "40" }, out: { type: "string" } },
});
const RUNS = Number(args.runs);
const MB = Number(args.mb);
if (!Number.isInteger(RUNS) || RUNS < 1 || !Number.isInteger(MB) || MB < 1) throw new Error("--runs and --mb must be positive integers");

/** The bench's app: busybox httpd serving `version`, over one incompressible layer of `mb` MB. */
const pushApp = (registry: string, repo: string, tag: string, version: string): Promise<unknown> =>
  buildAndPushImage(registry, repo, tag, {
    busybox: true,
    layers: [{ "/data/blob": randomBytes(MB * 1024 * 1024) }],
    files: { "/www/index.html": `${version}\n` },
    entrypoint: ["/bin/busybox"],
    cmd: ["httpd", "-f", "-p", "8080", "-h", "/www"],
    exposedPorts: [8080],
  });

interface Row {
  run: number;
  baselinePushMs: number;
  pushMs: number;
  createToFirst200Ms: number;
  pushToFirst200Ms: number;
  tagPushToNewVersionMs: number;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "openrunner-bench-registry-"));
  const authfile = join(work, "auth.json");
  let source: TestRegistry | undefined;
  let plain: TestRegistry | undefined;
  let or: BenchOpenRunner | undefined;
  let client: AppRunnerClient | undefined;
  const arns: string[] = [];
  const rows: Row[] = [];
  try {
    source = await startRegistry();
    plain = await startRegistry();
    const [httpPort, registryPort] = [await freePort(), await freePort()];
    or = await startOpenRunnerChild([], {
      upArgs: ["--runtime", "local", "--https-port", "0", "--http-port", String(httpPort), "--registry-port", String(registryPort), "--image-poll-seconds", "0"],
      readyTimeoutMs: 120_000,
    });
    const address = `127.0.0.1:${registryPort}`;
    client = benchClient(or.endpoint, or.credentials, 4);
    const ecr = new ECRClient({ endpoint: or.endpoint, region: "us-east-1", credentials: or.credentials, maxAttempts: 1 });
    const password = await ecrPassword(ecr);
    await skopeoOk(["login", "--authfile", authfile, "-u", "AWS", "--password-stdin", "--tls-verify=false", address], password);
    const account = accountIn(or.server.output());
    // As on App Runner: an ECR image is pulled with an access role.
    const accessRoleArn = await ensureEcrAccessRole(or.endpoint, or.credentials);
    const copy = (from: string, to: string): Promise<void> =>
      skopeoOk(["copy", "--quiet", "--authfile", authfile, "--src-tls-verify=false", "--dest-tls-verify=false", `docker://${source?.host ?? ""}/${from}`, `docker://${to}`]);

    for (let run = 1; run <= RUNS; run++) {
      const repo = `bench-${run}`;
      await ecr.send(new CreateRepositoryCommand({ repositoryName: repo }));
      await pushApp(source.host, repo, "v1", `v1-${run}`);
      let t = performance.now();
      await copy(`${repo}:v1`, `${plain.host}/${repo}:v1`);
      const baselinePushMs = performance.now() - t;

      t = performance.now();
      await copy(`${repo}:v1`, `${address}/${repo}:v1`);
      const pushMs = performance.now() - t;
      const created = performance.now();
      const service = (
        await client.send(
          new CreateServiceCommand({
            ServiceName: `bench-registry-${run}`,
            SourceConfiguration: {
              AutoDeploymentsEnabled: true,
              AuthenticationConfiguration: { AccessRoleArn: accessRoleArn },
              ImageRepository: { ImageIdentifier: `${account}.dkr.ecr.us-east-1.amazonaws.com/${repo}:v1`, ImageRepositoryType: "ECR", ImageConfiguration: { Port: "8080" } },
            },
            InstanceConfiguration: { Cpu: "0.25 vCPU", Memory: "0.5 GB" },
          }),
        )
      ).Service;
      if (!service?.ServiceArn || !service.ServiceUrl) throw new Error("CreateService returned no service");
      arns.push(service.ServiceArn);
      const createToFirst200Ms = await msUntilServed(httpPort, service.ServiceUrl, (b) => b.trim() === `v1-${run}`, created, { everyMs: 20, timeoutMs: 120_000 });

      // Let the first deployment finish, then push a new image under the tag it follows.
      await sleep(2_000);
      await pushApp(source.host, repo, "v2", `v2-${run}`);
      t = performance.now();
      await copy(`${repo}:v2`, `${address}/${repo}:v1`);
      const tagPushToNewVersionMs = await msUntilServed(httpPort, service.ServiceUrl, (b) => b.trim() === `v2-${run}`, t, { everyMs: 20, timeoutMs: 120_000 });
      const row = { run, baselinePushMs, pushMs, createToFirst200Ms, pushToFirst200Ms: pushMs + createToFirst200Ms, tagPushToNewVersionMs };
      rows.push(row);
      process.stdout.write(`${JSON.stringify(row)}\n`);
    }
    ecr.destroy();
  } finally {
    if (client && or) {
      const left = await deleteServicesAndWait(client, arns, or.dataDir, 120_000).catch((e: unknown) => [String(e)]);
      if (left.length > 0) process.stderr.write(`services left: ${left.join(", ")}\n`);
    }
    client?.destroy();
    await or?.close();
    await source?.stop();
    await plain?.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const med = (pick: (r: Row) => number): number => percentile([...rows.map(pick)].sort((a, b) => a - b), 50);
  const max = (pick: (r: Row) => number): number => Math.max(...rows.map(pick));
  const table = markdownTable(
    ["measure", "median ms", "max ms", "target"],
    [
      [`push ${MB} MB, plain distribution (baseline)`, fmt(med((r) => r.baselinePushMs), 0), fmt(max((r) => r.baselinePushMs), 0), ""],
      [`push ${MB} MB, built-in registry (ECR token, front door)`, fmt(med((r) => r.pushMs), 0), fmt(max((r) => r.pushMs), 0), ""],
      ["CreateService -> first 200", fmt(med((r) => r.createToFirst200Ms), 0), fmt(max((r) => r.createToFirst200Ms), 0), ""],
      ["push + create -> first 200", fmt(med((r) => r.pushToFirst200Ms), 0), fmt(max((r) => r.pushToFirst200Ms), 0), "<= 3000"],
      ["push of the followed tag -> new version serving", fmt(med((r) => r.tagPushToNewVersionMs), 0), fmt(max((r) => r.tagPushToNewVersionMs), 0), "<= 2000"],
    ],
  );
  process.stdout.write(`\n${JSON.stringify(machineFacts())}\n\n${table}\n${hostLeftoversLine("openrunner-bench-")}\n`);
  if (args.out) writeFileSync(args.out, JSON.stringify({ machine: machineFacts(), runs: rows }, null, 2));
}

await main();
