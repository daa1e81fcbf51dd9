/**
 * nginx (Debian package) as a reverse proxy for the router benchmark: a config in a temp dir,
 * `nginx -c <conf> -g 'daemon off; pid <tmp>/nginx.pid;'` as our child, stopped by ITS pid.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep } from "./proc-status.js";
import { which } from "./wrk.js";

export interface NginxProxy {
  port: number;
  /** The master's pid (our child). */
  pid: number;
  dir: string;
  config: string;
  output(): string;
  stop(): Promise<void>;
}

export interface NginxProxyOptions {
  port: number;
  /** `host:port` of each upstream server (127.x only). */
  upstreams: string[];
  workers: number;
  /** Idle keep-alive connections to the upstream each worker keeps. */
  keepalive?: number;
}

export const findNginx = (): string | undefined => which("nginx");

/**
 * The config: the same work HAProxy's frontend does per request, as far as nginx has it
 * (X-Forwarded-For/Proto/Port, a request id), upstream keep-alive, no access log.
 */
export function nginxConfig(dir: string, opts: NginxProxyOptions): string {
  for (const u of opts.upstreams) if (!u.startsWith("127.")) throw new Error(`upstream ${u} is not a 127.x address`);
  return [
    `worker_processes ${opts.workers};`,
    `error_log ${dir}/error.log warn;`,
    "events { worker_connections 4096; }",
    "http {",
    "  access_log off;",
    `  client_body_temp_path ${dir}/body;`,
    `  proxy_temp_path ${dir}/proxy;`,
    `  fastcgi_temp_path ${dir}/fastcgi;`,
    `  uwsgi_temp_path ${dir}/uwsgi;`,
    `  scgi_temp_path ${dir}/scgi;`,
    "  keepalive_requests 100000;",
    "  upstream backend {",
    ...opts.upstreams.map((u) => `    server ${u};`),
    `    keepalive ${opts.keepalive ?? 64};`,
    "    keepalive_requests 100000;",
    "  }",
    "  server {",
    `    listen 127.0.0.1:${opts.port};`,
    "    location / {",
    "      proxy_pass http://backend;",
    "      proxy_http_version 1.1;",
    '      proxy_set_header Connection "";',
    "      proxy_set_header Host $host;",
    "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "      proxy_set_header X-Forwarded-Proto $scheme;",
    "      proxy_set_header X-Forwarded-Port $server_port;",
    "      proxy_set_header X-Request-Id $request_id;",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
}

/** Starts nginx in the foreground and resolves once it answers on its port (bounded). */
export async function startNginxProxy(opts: NginxProxyOptions): Promise<NginxProxy> {
  const bin = findNginx();
  if (!bin) throw new Error("nginx is not installed (Debian: apt-get install nginx); the benchmark does not install it");
  const dir = mkdtempSync(join(tmpdir(), "openrunner-bench-nginx-"));
  const config = join(dir, "nginx.conf");
  writeFileSync(config, nginxConfig(dir, opts));
  const child: ChildProcess = spawn(bin, ["-p", dir, "-c", config, "-g", `daemon off; pid ${dir}/nginx.pid;`], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const errorLog = (): string => {
    try {
      return readFileSync(join(dir, "error.log"), "utf8");
    } catch {
      return "";
    }
  };
  const stop = async (): Promise<void> => {
    if (alive()) child.kill("SIGTERM");
    const t = setTimeout(() => {
      if (alive()) child.kill("SIGKILL");
    }, 5000);
    await exited;
    clearTimeout(t);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (!alive() || child.pid === undefined) {
      const why = `${out}${errorLog()}`;
      await stop();
      throw new Error(`nginx exited before serving:\n${why}`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${opts.port}/`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`nginx did not answer on 127.0.0.1:${opts.port} in 10 s:\n${out}${errorLog()}`);
      }
      await sleep(50);
    }
  }
  const pid = child.pid;
  return { port: opts.port, pid, dir, config, output: () => `${out}${errorLog()}`, stop };
}
