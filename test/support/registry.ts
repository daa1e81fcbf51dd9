/**
 * A real OCI registry for tests: Debian's `docker-registry` (CNCF distribution 2.8) on
 * 127.0.0.1 with a free port and filesystem storage in a temp dir.
 *
 *   const registry = await startRegistry();
 *   after(() => registry.stop());
 *   await buildAndPushImage(registry.host, "hello", "latest", { busybox: true, cmd: [...] });
 *
 * `stop()` signals only the process it started (SIGTERM, then SIGKILL after 2 s) and removes
 * the temp dir; it is safe to call twice.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface StartRegistryOptions {
  /** Adds a notifications endpoint (push/pull events are POSTed here). */
  notifyUrl?: string;
  /** Sent as `Authorization: Bearer <token>` with each notification. */
  notifyToken?: string;
  /** Require HTTP basic auth (htpasswd) with `REGISTRY_TEST_USER` / `REGISTRY_TEST_PASSWORD`. */
  basicAuth?: boolean;
  /** Binary to run; default `/usr/bin/docker-registry`. */
  binary?: string;
  /** Address to listen on; default 127.0.0.1 (a swarm cluster's nodes pull from its gateway address). */
  listenHost?: string;
}

export interface TestRegistry {
  /** `127.0.0.1:<port>`, usable directly in image identifiers. */
  host: string;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The registry's PID (stop() signals this PID only). */
  pid: number;
  /** Last lines the registry wrote to stderr, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Credentials accepted when `basicAuth: true`. */
export const REGISTRY_TEST_USER = "openrunner";
export const REGISTRY_TEST_PASSWORD = "openrunner-test-pw";
// bcrypt (cost 4, the minimum: the registry checks it on every request) of REGISTRY_TEST_PASSWORD,
// precomputed so tests need neither htpasswd (apache2-utils) nor a bcrypt library.
const HTPASSWD = `${REGISTRY_TEST_USER}:$2b$04$cUTYGi8qXQ3.2q6cr5z4B.WL9YiscbbuSKxwImRF3TiN.it9P8XsG\n`;

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function registryConfig(dir: string, host: string, port: number, opts: StartRegistryOptions): Record<string, unknown> {
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: "warn", accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: join(dir, "data") },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: `${host}:${port}`, secret: "openrunner-test-registry" },
  };
  if (opts.basicAuth) config.auth = { htpasswd: { realm: "openrunner-test", path: join(dir, "htpasswd") } };
  if (opts.notifyUrl) {
    const endpoint: Record<string, unknown> = {
      name: "openrunner",
      url: opts.notifyUrl,
      timeout: "1s",
      threshold: 5,
      backoff: "1s",
    };
    if (opts.notifyToken) endpoint.headers = { Authorization: [`Bearer ${opts.notifyToken}`] };
    config.notifications = { endpoints: [endpoint] };
  }
  return config;
}

async function waitUntilServing(url: string, child: ChildProcess, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return true;
    } catch {
      // Not listening yet; poll again.
    }
    await sleep(25);
  }
  return false;
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
  await exited;
  clearTimeout(timer);
}

/** Starts a registry and resolves once `GET /v2/` answers. Retries on a lost port race. */
export async function startRegistry(opts: StartRegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "openrunner-registry-"));
  let lastOutput = "";
  const listenHost = opts.listenHost ?? "127.0.0.1";
  try {
    if (opts.basicAuth) await writeFile(join(dir, "htpasswd"), HTPASSWD);
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort(listenHost);
      const configPath = join(dir, "config.yml");
      // JSON is YAML, and saves a YAML writer.
      await writeFile(configPath, JSON.stringify(registryConfig(dir, listenHost, port, opts), null, 2));
      const child = spawn(opts.binary ?? "/usr/bin/docker-registry", ["serve", configPath], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      const collect = (chunk: Buffer): void => {
        output = (output + chunk.toString("utf8")).slice(-8192);
      };
      child.stdout?.on("data", collect);
      child.stderr?.on("data", collect);
      const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
      const url = `http://${listenHost}:${port}`;
      const ready = await Promise.race([waitUntilServing(url, child, Date.now() + 15_000), spawnError]);
      if (ready instanceof Error) throw ready;
      if (ready && child.pid !== undefined) {
        const pid = child.pid;
        let stopped: Promise<void> | undefined;
        return {
          host: `${listenHost}:${port}`,
          url,
          pid,
          output: () => output,
          stop: () => {
            stopped ??= terminate(child).finally(() => rm(dir, { recursive: true, force: true }));
            return stopped;
          },
        };
      }
      lastOutput = output;
      await terminate(child);
    }
    throw new Error(`docker-registry did not start:\n${lastOutput}`);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
