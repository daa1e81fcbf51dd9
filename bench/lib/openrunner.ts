import { AppRunnerClient, CreateServiceCommand, DescribeServiceCommand } from "@aws-sdk/client-apprunner";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OPENRUNNER_CLI, spawnReady, type ReadyChild } from "./child.js";
import { sleep } from "./proc-status.js";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface BenchOpenRunner {
  server: ReadyChild;
  endpoint: string;
  credentials: Credentials;
  /** The child's temporary `--data-dir` (removed by close()). */
  dataDir: string;
  /** Stops the child (by its PID) and removes its temp data directory. */
  close(): Promise<void>;
}

export interface StartOpenRunnerOptions {
  /** Arguments of `openrunner up` after `--data-dir` and `--port`; default `--runtime none`. */
  upArgs?: string[];
  /** How long to wait for `ready:` (the local runtime sets up its firewall first). */
  readyTimeoutMs?: number;
  /** Called with the fresh data directory before the child starts (e.g. to seed `<data-dir>/runtimes`). */
  prepare?: (dataDir: string) => void;
}

/** `openrunner up --port 0` on a fresh temp data dir, as a user runs it; resolves when ready. */
export async function startOpenRunnerChild(nodeArgs: string[] = [], opts: StartOpenRunnerOptions = {}): Promise<BenchOpenRunner> {
  const dataDir = mkdtempSync(join(tmpdir(), "openrunner-bench-"));
  const upArgs = opts.upArgs ?? ["--runtime", "none"];
  let server: ReadyChild;
  try {
    opts.prepare?.(dataDir);
    server = await spawnReady([...nodeArgs, OPENRUNNER_CLI, "up", "--data-dir", dataDir, "--port", "0", ...upArgs], {}, opts.readyTimeoutMs);
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    server,
    endpoint: server.ready,
    credentials: readCredentials(join(dataDir, "credentials")),
    dataDir,
    async close() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The root key `openrunner up` writes to <data-dir>/credentials (profile openrunner). */
export function readCredentials(file: string): Credentials {
  const text = readFileSync(file, "utf8");
  const value = (key: string): string => {
    const m = new RegExp(`^${key}\\s*=\\s*(\\S+)$`, "m").exec(text);
    if (!m?.[1]) throw new Error(`${key} missing from ${file}`);
    return m[1];
  };
  return { accessKeyId: value("aws_access_key_id"), secretAccessKey: value("aws_secret_access_key") };
}

/**
 * The SDK client as an application would configure it: the default NodeHttpHandler on one
 * keep-alive agent with a socket per concurrent request, so connection set-up is not measured.
 */
export function benchClient(endpoint: string, credentials: Credentials, maxSockets: number): AppRunnerClient {
  return new AppRunnerClient(benchClientConfig(endpoint, credentials, maxSockets));
}

export interface BenchClientConfig {
  endpoint: string;
  region: string;
  credentials: Credentials;
  maxAttempts: number;
  requestHandler: { httpAgent: Agent; requestTimeout: number };
}

/** The same configuration for any other AWS SDK v3 client (KMS, Secrets Manager, SSM, ...). */
export function benchClientConfig(endpoint: string, credentials: Credentials, maxSockets: number): BenchClientConfig {
  return {
    endpoint,
    region: "us-east-1",
    credentials,
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets }), requestTimeout: 10_000 },
  };
}

/**
 * Creates `count` services and waits (bounded) until none is OPERATION_IN_PROGRESS. Without a
 * runtime they end CREATE_FAILED, which is expected: the engine is then idle while we measure.
 */
export async function createServices(client: AppRunnerClient, count: number, timeoutMs = 60_000): Promise<string[]> {
  const arns: string[] = [];
  for (let i = 0; i < count; i++) {
    const out = await client.send(
      new CreateServiceCommand({
        ServiceName: `bench-${String(i).padStart(2, "0")}`,
        SourceConfiguration: {
          ImageRepository: { ImageIdentifier: "127.0.0.1:5000/hello:latest", ImageRepositoryType: "ECR_PUBLIC" },
        },
      }),
    );
    arns.push(out.Service?.ServiceArn ?? "");
  }
  const until = Date.now() + timeoutMs;
  for (const arn of arns) {
    for (;;) {
      const s = await client.send(new DescribeServiceCommand({ ServiceArn: arn }));
      if (s.Service?.Status !== "OPERATION_IN_PROGRESS") break;
      if (Date.now() > until) throw new Error(`service ${arn} still in progress after ${timeoutMs} ms`);
      await sleep(50);
    }
  }
  return arns;
}
