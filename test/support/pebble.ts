import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { Resolver } from "node:dns/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freeDnsPort, worldDns, type WorldDns } from "./challtestsrv.js";
import { skipUnlessOnPath } from "./host-tools.js";
import { stopPid } from "./pids.js";
import { unboundFlush, unboundStubAdd, writeUnboundConfig, type StubZone } from "./unbound.js";

export { freeDnsPort, type WorldDns } from "./challtestsrv.js";
export type { StubZone } from "./unbound.js";

/** node:test `skip` for tests needing the rig (Debian's pebble and unbound, by install-deps --test). */
export const PEBBLE_SKIP = skipUnlessOnPath("pebble", "pebble-challtestsrv", "unbound", "unbound-control", "openssl");

export interface PebbleOptions {
  /** The port pebble's VA connects to for HTTP-01 (the router's HTTP port); a free one by default. */
  httpPort?: number;
  /** Lifetime of issued certificates in seconds (short-lived ones for renewal tests); pebble's default (5 years) otherwise. */
  certificateValidityPeriod?: number;
  /** kid -> base64url HMAC key; when given, pebble requires an external account binding. */
  externalAccountMACKeys?: Record<string, string>;
  /** Zones unbound asks an authoritative server for directly (OpenRunner's challenge zone). */
  stubZones?: StubZone[];
}

export interface PebbleRig {
  /** pebble's ACME directory (`https://127.0.0.1:<port>/dir`): AcmeSettings.directoryUrl. */
  directoryUrl: string;
  /** PEM file of the CA of pebble's own HTTPS (directory, management API): AcmeSettings.caCertificatesFile. */
  caFile: string;
  /** pebble's issuing root (PEM), the trust anchor of the certificates it issues: give it to TLS clients. */
  roots(): Promise<string>;
  /** unbound, the recursive resolver everybody uses: pebble's VA and OpenRunner's --dns-resolver. */
  resolver: { address: string; port: number };
  /** `127.0.0.1:<port>` of `resolver`, for node:dns setServers and the --dns-resolver flag. */
  resolverAddress: string;
  /** The port pebble's VA sends HTTP-01 requests to. */
  httpPort: number;
  /** The world's DNS (challtestsrv): the records users create. */
  dns: WorldDns;
  /**
   * Empties the resolver's cache: unbound keeps even a TTL-0 answer for the rest of its second, so
   * a test that changed records outside `dns` (OpenRunner's zone) and must see it at once calls this.
   */
  flushResolver(): Promise<void>;
  /** Adds a stub zone to the running resolver (once the zone's server has a port). */
  addStubZone(stub: StubZone): Promise<void>;
  /** Kills exactly the processes it started (by PID) and removes its temp dir. */
  stop(): Promise<void>;
}

/** Bounded: tries `probe` every 100 ms for `ms`, throwing with the log's tail when it never succeeds. */
async function waitFor(what: string, ms: number, probe: () => Promise<unknown>, child: ChildProcess, log: string): Promise<void> {
  let last: unknown;
  for (let waited = 0; waited < ms; waited += 100) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      await probe();
      return;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  const tail = readFileSync(log, "utf8").split("\n").slice(-20).join("\n");
  throw new Error(`${what} did not start (exit ${child.exitCode ?? child.signalCode ?? "none"}; last probe: ${String(last)}):\n${tail}`);
}

function httpsGet(url: string, agent: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: 10_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => ((res.statusCode ?? 0) < 300 ? resolve(body) : reject(new Error(`${url}: HTTP ${res.statusCode} ${body}`))));
    });
    req.on("timeout", () => req.destroy(new Error(`${url}: timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/**
 * Starts pebble-challtestsrv (the world's DNS), unbound (the resolver, forwarding to it, with the
 * stub zones) and pebble (-dnsserver unbound), all on 127.0.0.1 with free ports, in a temp dir.
 * A failed start stops what it started before throwing.
 */
export async function startPebble(options: PebbleOptions = {}): Promise<PebbleRig> {
  const dir = mkdtempSync(join(tmpdir(), "openrunner-pebble-"));
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const child of children.reverse()) if (child.pid !== undefined) await stopPid(child.pid, 3000);
    rmSync(dir, { recursive: true, force: true });
  };
  const start = (command: string, args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; log: string } => {
    const log = join(dir, `${command}.log`);
    const fd = openSync(log, "a");
    const child = spawn(command, args, { cwd: dir, stdio: ["ignore", fd, fd], env: { ...process.env, ...env } });
    closeSync(fd);
    child.on("error", () => undefined); // A missing binary shows as the exit in waitFor.
    children.push(child);
    return { child, log };
  };
  try {
    const [dnsPort, mgmtPort, resolverPort, acmePort, acmeMgmtPort] = [await freeDnsPort(), await freeDnsPort(), await freeDnsPort(), await freeDnsPort(), await freeDnsPort()];
    const httpPort = options.httpPort ?? (await freeDnsPort());

    const chall = start("pebble-challtestsrv", ["-dns01", `127.0.0.1:${dnsPort}`, "-management", `127.0.0.1:${mgmtPort}`, "-http01", "", "-https01", "", "-tlsalpn01", "", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""]);
    const managementUrl = `http://127.0.0.1:${mgmtPort}`;
    await waitFor("pebble-challtestsrv", 10_000, () => fetch(`${managementUrl}/clear-txt`, { method: "POST", body: '{"host":"ready.test."}', signal: AbortSignal.timeout(2000) }), chall.child, chall.log);

    const unboundConf = writeUnboundConfig(dir, resolverPort, dnsPort, options.stubZones ?? []);
    const unbound = start("unbound", ["-d", "-p", "-c", unboundConf]);
    const resolver = new Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`127.0.0.1:${resolverPort}`]);
    await waitFor("unbound", 10_000, () => resolver.resolve4("ready.test"), unbound.child, unbound.log);

    const key = join(dir, "pebble-key.pem");
    const caFile = join(dir, "pebble-cert.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", caFile, "-days", "2", "-subj", "/CN=pebble", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore", timeout: 30_000 });
    const eab = options.externalAccountMACKeys;
    const config = {
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${acmeMgmtPort}`,
        certificate: caFile,
        privateKey: key,
        httpPort,
        tlsPort: httpPort, // tls-alpn-01 is never used; pebble wants a port anyway.
        ocspResponderURL: "",
        externalAccountBindingRequired: eab !== undefined,
        ...(eab !== undefined ? { externalAccountMACKeys: eab } : {}),
        ...(options.certificateValidityPeriod !== undefined ? { certificateValidityPeriod: options.certificateValidityPeriod } : {}),
      },
    };
    writeFileSync(join(dir, "pebble.json"), JSON.stringify(config));
    // NOSLEEP: validate at once; NONCEREJECT 0: no random badNonce; AUTHZREUSE 0: every order validates again.
    const pebble = start("pebble", ["-config", join(dir, "pebble.json"), "-dnsserver", `127.0.0.1:${resolverPort}`], {
      PEBBLE_VA_NOSLEEP: "1",
      PEBBLE_WFE_NONCEREJECT: "0",
      PEBBLE_AUTHZREUSE: "0",
    });
    const agent = new Agent({ ca: readFileSync(caFile, "utf8") });
    const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
    await waitFor("pebble", 15_000, () => httpsGet(directoryUrl, agent), pebble.child, pebble.log);

    return {
      directoryUrl,
      caFile,
      roots: () => httpsGet(`https://127.0.0.1:${acmeMgmtPort}/roots/0`, agent),
      resolver: { address: "127.0.0.1", port: resolverPort },
      resolverAddress: `127.0.0.1:${resolverPort}`,
      httpPort,
      dns: worldDns(managementUrl, () => unboundFlush(unboundConf)),
      flushResolver: () => unboundFlush(unboundConf),
      addStubZone: (stub) => unboundStubAdd(unboundConf, stub),
      stop: async () => {
        agent.destroy();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
