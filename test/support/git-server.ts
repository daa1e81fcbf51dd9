import type { CreateServiceCommandInput } from "@aws-sdk/client-apprunner";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Environment for the tests' own git commands: no user or system config, no prompts. */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_") && v !== undefined) env[k] = v;
  return { ...env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };
}

function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, env: gitEnv(), encoding: "utf8", timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
}

export interface TestRepo {
  /** The working directory (a non-bare repository: `git http-backend` and `file://` serve it as is). */
  dir: string;
  /** Writes the files (a null value deletes one), commits everything, returns the new commit id. */
  commit(files: Record<string, string | null>, message?: string): string;
  /** The branch's current commit. */
  head(): string;
}

/**
 * CreateService's input for a code service of `repoDir`'s main branch, configured by the
 * repository (its apprunner.yaml or Dockerfile), deployed by hand, 1 vCPU and 2 GB (builds
 * get the service's size).
 */
export function codeServiceInput(name: string, repoDir: string): CreateServiceCommandInput {
  return {
    ServiceName: name,
    SourceConfiguration: {
      AutoDeploymentsEnabled: false,
      CodeRepository: { RepositoryUrl: repoDir, SourceCodeVersion: { Type: "BRANCH", Value: "main" }, CodeConfiguration: { ConfigurationSource: "REPOSITORY" } },
    },
    InstanceConfiguration: { Cpu: "1 vCPU", Memory: "2 GB" },
  };
}

/**
 * A git repository with one commit of `files` on `branch` (default main). The committer is set in
 * the repository's own config, never the user's. Without `dir`, it is made in a new temp
 * directory; remove it with `removeRepo` or by removing its parent.
 */
export function makeRepo(files: Record<string, string | null>, opts: { branch?: string; dir?: string; message?: string } = {}): TestRepo {
  const branch = opts.branch ?? "main";
  const dir = opts.dir ?? join(mkdtempSync(join(tmpdir(), "openrunner-git-")), "repo");
  mkdirSync(dir, { recursive: true });
  git(dir, ["init", "-q", "-b", branch]);
  git(dir, ["config", "user.name", "OpenRunner Tests"]);
  git(dir, ["config", "user.email", "tests@openrunner.invalid"]);
  git(dir, ["config", "commit.gpgsign", "false"]);
  const repo: TestRepo = {
    dir,
    commit(changes, message = "Update") {
      for (const [path, content] of Object.entries(changes)) {
        const file = join(dir, path);
        if (content === null) {
          rmSync(file, { force: true });
          continue;
        }
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
      git(dir, ["add", "-A"]);
      git(dir, ["commit", "-q", "--allow-empty", "-m", message]);
      return repo.head();
    },
    head: () => git(dir, ["rev-parse", "HEAD"]).trim(),
  };
  repo.commit(files, opts.message ?? "Initial commit");
  return repo;
}

/** Removes a repository made by makeRepo in its own temp directory. */
export function removeRepo(repo: TestRepo): void {
  rmSync(dirname(repo.dir), { recursive: true, force: true });
}

export interface GitHttpServer {
  /** The clone URL of `<root>/<repoName>`. */
  url(repoName: string): string;
  /** Requests served so far (path and status), for assertions. */
  readonly requests: { method: string; path: string; status: number }[];
  stop(): Promise<void>;
}

const CGI_TIMEOUT_MS = 60_000;

/**
 * git's smart HTTP over loopback: a node:http server running Debian's `git http-backend` CGI for
 * the repositories under `root`, so clone, fetch and ls-remote work as against a real host. With
 * `token`, every request must carry `Authorization: Basic base64(x-access-token:<token>)` (GitHub's
 * convention for app and personal tokens); anything else is answered 401.
 */
export async function startGitHttpServer(opts: { root: string; token?: string }): Promise<GitHttpServer> {
  const requests: GitHttpServer["requests"] = [];
  const expected = opts.token === undefined ? undefined : `Basic ${Buffer.from(`x-access-token:${opts.token}`).toString("base64")}`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const record = (status: number): void => void requests.push({ method: req.method ?? "", path: url.pathname, status });
    if (expected !== undefined && req.headers.authorization !== expected) {
      record(401);
      req.resume();
      res.writeHead(401, { "www-authenticate": 'Basic realm="openrunner-tests"', "content-type": "text/plain" }).end("authentication required\n");
      return;
    }
    runBackend(opts.root, url, req, res, record);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: (repoName) => `http://127.0.0.1:${port}/${repoName}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function runBackend(root: string, url: URL, req: IncomingMessage, res: ServerResponse, record: (status: number) => void): void {
  const env: NodeJS.ProcessEnv = {
    ...gitEnv(),
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: "1",
    GATEWAY_INTERFACE: "CGI/1.1",
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ""),
    CONTENT_TYPE: req.headers["content-type"] ?? "",
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    REMOTE_USER: req.headers.authorization ? "x-access-token" : "",
  };
  if (req.headers["content-length"] !== undefined) env.CONTENT_LENGTH = req.headers["content-length"];
  if (req.headers["content-encoding"] !== undefined) env.HTTP_CONTENT_ENCODING = req.headers["content-encoding"];
  const protocol = req.headers["git-protocol"];
  if (typeof protocol === "string") env.HTTP_GIT_PROTOCOL = protocol;

  const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"], timeout: CGI_TIMEOUT_MS, killSignal: "SIGKILL" });
  req.pipe(child.stdin);
  child.stdin.on("error", () => undefined); // The backend may answer before reading everything.
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    if (stderr.length < 8192) stderr += c.toString("utf8");
  });

  // CGI output: header lines, a blank line, then the body (streamed through).
  let head = Buffer.alloc(0);
  let headersDone = false;
  const onData = (chunk: Buffer): void => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf("\r\n\r\n");
    const lf = head.indexOf("\n\n");
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
    if (end < 0) return;
    const sepLen = end === crlf ? 4 : 2;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end).toString("latin1").split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "status") status = Number.parseInt(value, 10) || 500;
      else headers[name] = value;
    }
    headersDone = true;
    record(status);
    res.writeHead(status, headers);
    const rest = head.subarray(end + sepLen);
    if (rest.length > 0) res.write(rest);
  };
  child.stdout.on("data", onData);
  child.on("close", (code) => {
    if (!headersDone) {
      record(502);
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`git http-backend exited ${String(code)} without a response: ${stderr}\n`);
      return;
    }
    res.end();
  });
  child.on("error", (err) => {
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end(`git http-backend failed: ${err.message}\n`);
  });
}
