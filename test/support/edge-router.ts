import { spawn, type ChildProcess } from "node:child_process";
import { createConnection } from "node:net";
import { join } from "node:path";
import { CLI, tempDataDir } from "./harness.js";
import { haproxyPidIn, stopHaproxyIn } from "./local-server.js";
import { loadLoop, viaRouter } from "./router-client.js";

/**
 * `openrunner router` (an edge router) as a separate process on 127.0.0.1, with its own
 * directory; started and stopped by the PID it got, its HAProxy stopped by its pid file in
 * cleanup() even after a failed assertion.
 */
export class EdgeRouterProcess {
  readonly data = tempDataDir("openrunner-edge-router-");
  readonly dir = join(this.data.dir, "router");
  child: ChildProcess | undefined;
  private out = "";

  constructor(private readonly opts: { controlPlane: string; tokenFile: string; httpPort: number; name: string }) {}

  get port(): number {
    return this.opts.httpPort;
  }

  output(): string {
    return this.out;
  }

  /** The PID of its HAProxy master (0 when none is recorded). */
  haproxyPid(): number {
    return haproxyPidIn(this.dir);
  }

  /** Resolves at its `ready` line. */
  start(timeoutMs = 30_000): Promise<void> {
    const args = ["router", "--control-plane", this.opts.controlPlane, "--token-file", this.opts.tokenFile, "--name", this.opts.name];
    args.push("--http-port", String(this.opts.httpPort), "--dir", this.dir);
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`openrunner router did not print ready in ${timeoutMs} ms:\n${this.out}`));
      }, timeoutMs);
      child.stdout?.on("data", (c: Buffer) => {
        this.out += c.toString();
        if (/^ready$/m.test(this.out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr?.on("data", (c: Buffer) => {
        this.out += c.toString();
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        if (!/^ready$/m.test(this.out)) reject(new Error(`openrunner router exited with ${code ?? signal}:\n${this.out}`));
      });
    });
  }

  /** Signals the process it started (by PID) and waits for it to exit. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
    child.kill(signal);
    await exited;
  }

  /** A backend's totals from its HAProxy's `show stat` (the BACKEND row, by column name). */
  async backendStats(backend: string): Promise<Record<string, string>> {
    const csv = await new Promise<string>((resolve, reject) => {
      const sock = createConnection(join(this.dir, "admin.sock"));
      let text = "";
      sock.on("data", (c: Buffer) => (text += c.toString()));
      sock.on("end", () => resolve(text));
      sock.on("error", reject);
      sock.end("show stat\n");
    });
    const [head = "", ...rows] = csv.trim().split("\n");
    const names = head.replace(/^# /, "").split(",");
    const row = rows.map((r) => r.split(",")).find((r) => r[0] === backend && r[1] === "BACKEND") ?? [];
    return Object.fromEntries(names.map((n, i) => [n, row[i] ?? ""]));
  }

  /** One GET through this edge router with the service's Host. */
  async via(host: string, path = "/"): Promise<{ status: number; body: string }> {
    const r = await viaRouter({ port: this.opts.httpPort, host, path, timeoutMs: 5_000 });
    return { status: r.status, body: r.body.trim() };
  }

  async cleanup(): Promise<void> {
    try {
      await this.stop("SIGKILL");
      await stopHaproxyIn(this.dir);
    } finally {
      this.data.remove();
    }
  }
}

/** What an update through an edge router measured. */
export interface EdgeUpdate {
  /** From the control plane's data plane serving the new version to the edge router serving it. */
  lagMs: number;
  ok: number;
  failures: string[];
  /** The edge HAProxy's backend counters of refused or retried connections after the update. */
  refused: { econ: string; wretr: string; wredis: string };
}

/**
 * Runs `update` (a blue/green deployment) under closed-loop load through the edge router until
 * `done` resolves, noting when the control plane's data plane (`controlPlaneBody`) and then the
 * edge first answer `expected`.
 */
export async function updateThroughEdge(opts: {
  edge: EdgeRouterProcess;
  serviceId: string;
  host: string;
  expected: string;
  controlPlaneBody: () => Promise<string>;
  update: () => Promise<unknown>;
  done: () => Promise<unknown>;
}): Promise<EdgeUpdate> {
  const { edge, host } = opts;
  const load = loadLoop({ port: edge.port, host, path: "/", clients: 2 });
  let cpFirst = 0;
  let edgeFirst = 0;
  try {
    await opts.update();
    const until = Date.now() + 120_000;
    while ((cpFirst === 0 || edgeFirst === 0) && Date.now() < until) {
      const [cp, e] = await Promise.all([opts.controlPlaneBody(), edge.via(host)]);
      if (cpFirst === 0 && cp === opts.expected) cpFirst = performance.now();
      if (edgeFirst === 0 && e.body === opts.expected) edgeFirst = performance.now();
      await new Promise((r) => setTimeout(r, 20));
    }
    await opts.done();
  } finally {
    await load.stop();
  }
  const stats = await edge.backendStats(`s_${opts.serviceId}`);
  return {
    lagMs: cpFirst > 0 && edgeFirst > 0 ? Math.round(edgeFirst - cpFirst) : Number.NaN,
    ok: load.ok,
    failures: load.failures,
    refused: { econ: stats.econ ?? "", wretr: stats.wretr ?? "", wredis: stats.wredis ?? "" },
  };
}
