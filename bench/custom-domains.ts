/**
 * Custom domains: from AssociateCustomDomain to the certificate served, against Debian's pebble
 * (test/support/pebble.ts: pebble as the CA, pebble-challtestsrv as the internet's DNS, unbound
 * as the resolver). A server with the local runtime (runc + HAProxy) runs one busybox service;
 * each run associates a new domain (with www) whose validation CNAMEs the "user" created
 * beforehand, and measures until a TLS client trusting only pebble's root gets a valid
 * certificate for the domain from the data plane (polled every 50 ms). Must run as root.
 *
 * Baseline in the same run: the same ACME order (two names, DNS-01) made directly with
 * OpenRunner's ACME client and a solver writing TXT records straight into the resolver's world,
 * with no controller, DNS checks, zone or router: what the CA itself takes.
 *
 *   node dist/bench/custom-domains.js [--runs 5] [--out results.json]
 */
import { AssociateCustomDomainCommand, CreateServiceCommand, DisassociateCustomDomainCommand } from "@aws-sdk/client-apprunner";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { createCertificateAuthority } from "../src/acme/index.js";
import type { ChallengeSolver } from "../src/acme/types.js";
import { challengeTarget } from "../src/domain/custom-domains.js";
import { pushHelloApp } from "../test/support/app-images.js";
import { startInProcess, type InProcessServer } from "../test/support/harness.js";
import { freeDnsPort, startPebble, type PebbleRig } from "../test/support/pebble.js";
import { startRegistry, type TestRegistry } from "../test/support/registry.js";
import { freePort } from "../test/support/router-client.js";
import { randomAddressBlock, waitForStatus } from "../test/support/runtime-fixture.js";
import { servedCertificate } from "../test/support/tls-probe.js";
import { positive } from "./lib/args.js";
import { machineFacts } from "./lib/machine.js";
import { sleep } from "./lib/proc-status.js";
import { fmt, markdownTable, percentile } from "./lib/stats.js";

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "5" }, out: { type: "string" } } });
const RUNS = positive("runs", args.runs);
const ZONE = "acme.bench.test";
const DEADLINE_MS = 120_000;

interface Row {
  run: number;
  /** The same two-name DNS-01 order, OpenRunner's ACME client alone. */
  baselineOrderMs: number;
  /** AssociateCustomDomain -> association active (DescribeCustomDomains). */
  activeMs: number;
  /** AssociateCustomDomain -> a trusted TLS handshake for the domain at the data plane. */
  servedMs: number;
}

async function baselineOrder(rig: PebbleRig, dir: string, run: number): Promise<number> {
  const authority = createCertificateAuthority(
    { directoryUrl: rig.directoryUrl, caCertificatesFile: rig.caFile, accountDir: join(dir, "baseline-account") },
    { clock: { now: () => Date.now() }, logger: () => undefined },
  );
  const dns: ChallengeSolver = {
    present: (c) => rig.dns.setTxt(`_acme-challenge.${c.identifier}`, c.dnsValue ?? ""),
    cleanup: (c) => rig.dns.clearTxt(`_acme-challenge.${c.identifier}`),
  };
  const none: ChallengeSolver = { present: () => Promise.resolve(), cleanup: () => Promise.resolve() };
  const started = performance.now();
  await authority.issue({ names: [`base${run}.example.test`, `www.base${run}.example.test`], challengeFor: () => "dns-01", solvers: { "dns-01": dns, "http-01": none } });
  return performance.now() - started;
}

async function associationRun(server: InProcessServer, rig: PebbleRig, serviceArn: string, httpsPort: number, roots: string, run: number): Promise<{ activeMs: number; servedMs: number }> {
  const domain = `shop${run}.example.test`;
  // The user created the validation records already (they are known before the association: stable per name).
  for (const name of [domain, `www.${domain}`]) await rig.dns.setCname(`_acme-challenge.${name}`, `${challengeTarget(ZONE, `_acme-challenge.${name}`)}.`);
  const started = performance.now();
  await server.client.send(new AssociateCustomDomainCommand({ ServiceArn: serviceArn, DomainName: domain, EnableWWWSubdomain: true }));
  let activeMs = 0;
  while (performance.now() - started < DEADLINE_MS) {
    if (!activeMs) {
      const row = server.running.store.resources.list<{ Status?: string }>({ kind: "custom-domain", parentArn: serviceArn }).find((r) => r.name === domain);
      if (row?.doc.Status === "active") activeMs = performance.now() - started;
    }
    const served = await servedCertificate({ port: httpsPort, servername: domain, ca: roots }).catch(() => undefined);
    if (served?.trusted) {
      const result = { activeMs: activeMs || performance.now() - started, servedMs: performance.now() - started };
      await disassociate(server, serviceArn, domain);
      return result;
    }
    await sleep(50);
  }
  throw new Error(`${domain}: no trusted certificate served within ${DEADLINE_MS} ms`);
}

/** App Runner allows five domains a service: each run's goes again before the next. */
async function disassociate(server: InProcessServer, serviceArn: string, domain: string): Promise<void> {
  await server.client.send(new DisassociateCustomDomainCommand({ ServiceArn: serviceArn, DomainName: domain }));
  const started = performance.now();
  while (server.running.store.resources.list({ kind: "custom-domain", parentArn: serviceArn }).some((r) => r.name === domain)) {
    if (performance.now() - started > DEADLINE_MS) throw new Error(`${domain} was not removed within ${DEADLINE_MS} ms`);
    await sleep(50);
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "openrunner-bench-domains-"));
  let rig: PebbleRig | undefined;
  let server: InProcessServer | undefined;
  let registry: TestRegistry | undefined;
  try {
    const [httpPort, httpsPort, zonePort] = [await freePort(), await freePort(), await freeDnsPort()];
    rig = await startPebble({ httpPort, stubZones: [{ zone: ZONE, address: "127.0.0.1", port: zonePort }] });
    await rig.dns.setDefaultIpv4("");
    const roots = await rig.roots();
    server = await startInProcess({
      localRuntime: { addressBlock: randomAddressBlock(), stopGraceMs: 1000, imagePollMs: 0, codePollMs: 0, superviseMs: 250, router: { httpPort, httpsPort } },
      customDomains: {
        acme: { directoryUrl: rig.directoryUrl, caCertificatesFile: rig.caFile },
        challengeZone: { zone: ZONE, listen: `127.0.0.1:${zonePort}` },
        resolvers: [rig.resolverAddress],
        dataPlaneAddresses: ["127.0.0.1"],
      },
    });
    registry = await startRegistry();
    await pushHelloApp(registry.host, "hello", "v1", "bench");
    const out = await server.client.send(
      new CreateServiceCommand({
        ServiceName: "bench-domains",
        SourceConfiguration: { ImageRepository: { ImageIdentifier: `${registry.host}/hello:v1`, ImageRepositoryType: "ECR_PUBLIC", ImageConfiguration: { Port: "8080" } }, AutoDeploymentsEnabled: false },
      }),
    );
    const serviceArn = out.Service?.ServiceArn ?? "";
    await waitForStatus(server.client, serviceArn, "RUNNING", 90_000);

    const rows: Row[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const baselineOrderMs = await baselineOrder(rig, dir, run);
      const { activeMs, servedMs } = await associationRun(server, rig, serviceArn, httpsPort, roots, run);
      rows.push({ run, baselineOrderMs, activeMs, servedMs });
      console.error(`run ${run}: baseline order ${fmt(baselineOrderMs, 0)} ms, active ${fmt(activeMs, 0)} ms, served ${fmt(servedMs, 0)} ms`);
    }
    const col = (f: (r: Row) => number) => rows.map(f).sort((a, b) => a - b);
    const line = (label: string, v: number[]) => [label, fmt(percentile(v, 50), 0), fmt(percentile(v, 90), 0), fmt(v[v.length - 1] ?? NaN, 0)];
    const table = markdownTable(
      ["ms (two names: domain + www)", "p50", "p90", "max"],
      [
        line("baseline: ACME order alone (pebble, DNS-01)", col((r) => r.baselineOrderMs)),
        line("AssociateCustomDomain -> active", col((r) => r.activeMs)),
        line("AssociateCustomDomain -> certificate served", col((r) => r.servedMs)),
      ],
    );
    console.log(`${JSON.stringify(machineFacts())}\n\n${table}`);
    if (args.out) writeFileSync(args.out, JSON.stringify({ rows }, null, 2));
  } finally {
    await server?.close();
    await registry?.stop();
    await rig?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
