import { spawn } from "node:child_process";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { SourceLocation } from "./urls.js";

/** A token for a private repository (a connection's), sent as HTTP Basic. */
export interface GitAuth {
  token: string;
  /** GitHub takes any user name with a token; `x-access-token` is its convention (the default). */
  username?: string;
}

/**
 * How git talks to one repository: its environment (credentials only in environment variables,
 * never in argv, config files or messages) and a redactor for anything git prints.
 */
export interface GitContext {
  loc: SourceLocation;
  env: NodeJS.ProcessEnv;
  /** `-c` options that carry no secret (protocol.file.allow for file URLs). */
  configArgs: string[];
  /** Whether credentials are sent (a refusal then means the wrong token, not a missing one). */
  authenticated: boolean;
  redact(text: string): string;
}

const MAX_STDERR_CHARS = 16 * 1024;

/**
 * The environment git runs with: the caller's without any GIT_* variable (no GIT_TRACE_CURL or
 * GIT_ASKPASS from the operator's shell), no prompts, untranslated messages, a stall limit, and
 * the Authorization header as `http.<origin>/.extraHeader` through GIT_CONFIG_COUNT: scoped to the
 * repository's host, so a redirect to another host does not receive it.
 */
export function gitContext(loc: SourceLocation, auth: GitAuth | undefined): GitContext {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_") && v !== undefined) env[k] = v;
  Object.assign(env, { GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "", SSH_ASKPASS: "", LC_ALL: "C", LANGUAGE: "C" });
  const config: [string, string][] = [
    ["http.lowSpeedLimit", "1000"],
    ["http.lowSpeedTime", "60"],
    // A credential helper of the operator's could answer for a repository the service has no
    // connection for; a service gets exactly the credentials it was configured with.
    ["credential.helper", ""],
  ];
  const secrets: string[] = [];
  let basic: { username: string; password: string } | undefined;
  if (auth && auth.token !== "") basic = { username: auth.username ?? "x-access-token", password: auth.token };
  else if (loc.basic) basic = loc.basic;
  if (basic && loc.kind === "http") {
    const encoded = Buffer.from(`${basic.username}:${basic.password}`).toString("base64");
    // Scoped to the host (not the repository's path): a host's own redirect of a renamed
    // repository keeps working, and no other host ever receives the header.
    config.push([`http.${new URL(loc.target).origin}/.extraHeader`, `Authorization: Basic ${encoded}`]);
    secrets.push(encoded, basic.password, encodeURIComponent(basic.password));
  }
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  env.GIT_CONFIG_COUNT = String(config.length);
  const live = secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return {
    loc,
    env,
    configArgs: loc.kind === "http" ? [] : ["-c", "protocol.file.allow=always"],
    authenticated: secrets.length > 0,
    redact: (text) => live.reduce((t, s) => t.split(s).join("***"), text),
  };
}

export interface GitResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** stdout went over maxStdout and git was stopped. */
  overflow: boolean;
}

export interface GitRun {
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Longest stdout kept (default 1 MiB); more stops git. */
  maxStdout?: number;
}

/**
 * Runs git with an argument array (no shell), a deadline and bounded output. git runs in its own
 * process group so that a timeout also stops the transport helper it started (git-remote-http).
 */
export function runGit(run: GitRun): Promise<GitResult> {
  const maxStdout = run.maxStdout ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    if (run.signal?.aborted) {
      resolve({ code: null, stdout: "", stderr: "", timedOut: false, aborted: true, overflow: false });
      return;
    }
    const child = spawn("git", run.args, { cwd: run.cwd, env: run.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let aborted = false;
    let overflow = false;
    const stop = (): void => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ESRCH") child.kill("SIGKILL");
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, run.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    run.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      if (overflow) return;
      stdout += chunk;
      if (stdout.length > maxStdout) {
        overflow = true;
        stdout = stdout.slice(0, maxStdout);
        stop();
      }
    });
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_STDERR_CHARS);
    });
    child.on("error", (err) => {
      clearTimeout(timer);
      run.signal?.removeEventListener("abort", onAbort);
      reject(new AppRunnerError("SourceFetchFailed", `git could not be started: ${err.message}`, { cause: err }));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      run.signal?.removeEventListener("abort", onAbort);
      resolve({ code, stdout, stderr, timedOut, aborted, overflow });
    });
  });
}

/** The last meaningful line git printed (hints and progress dropped), redacted. */
export function lastGitLine(ctx: GitContext, stderr: string): string {
  const lines = ctx
    .redact(stderr)
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("hint:"));
  const fatal = lines.filter((l) => l.startsWith("fatal:") || l.startsWith("error:"));
  const line = (fatal.at(-1) ?? lines.at(-1) ?? "").replace(/^(fatal|error):\s*/, "");
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * Why git could not read the repository, as an AppRunnerError whose message names the URL (never
 * a credential). `what` is the action for messages ("Fetching", "Resolving the branch of").
 */
export function gitFailure(ctx: GitContext, result: GitResult, what: string, branch: string, timeoutMs: number): AppRunnerError {
  const url = ctx.loc.display;
  if (result.aborted) return new AppRunnerError("SourceFetchFailed", `${what} ${url} was cancelled.`);
  if (result.timedOut) {
    return new AppRunnerError("SourceFetchFailed", `${what} ${url} did not finish within ${Math.round(timeoutMs / 1000)} s.`);
  }
  const err = ctx.redact(result.stderr);
  const last = lastGitLine(ctx, result.stderr);
  if (/couldn't find remote ref|no such ref was fetched|Remote branch .* not found/i.test(err)) {
    return new AppRunnerError("SourceNotFound", `Branch '${branch}' was not found in ${url}.`);
  }
  if (/could not read (Username|Password)|terminal prompts disabled|Authentication failed|HTTP Basic: Access denied|returned error: 40[13]\b|Invalid username or password/i.test(err)) {
    return ctx.authenticated
      ? new AppRunnerError("SourceAccessDenied", `${url} refused the credentials: check that the connection's token is valid and can read this repository.`)
      : new AppRunnerError(
          "SourceAccessDenied",
          `${url} asks for credentials: for a private repository, set a connection in the service's AuthenticationConfiguration.`,
        );
  }
  if (/repository '.*' (not found|does not exist)|Repository not found|does not appear to be a git repository|returned error: 404\b|not a git repository|No such file or directory/i.test(err)) {
    return new AppRunnerError("SourceNotFound", `Repository ${url} was not found${ctx.loc.kind === "http" ? " (or it is private and the credentials cannot read it)" : ""}.`);
  }
  if (/Could not resolve host|Failed to connect|Connection refused|Connection timed out|Operation timed out|Network is unreachable|SSL|TLS|certificate|unable to access|Empty reply|transfer closed|RPC failed|early EOF/i.test(err)) {
    return new AppRunnerError("SourceFetchFailed", `Could not reach ${url}: ${last}`);
  }
  if (result.overflow) return new AppRunnerError("SourceFetchFailed", `${what} ${url}: git printed more than expected.`);
  return new AppRunnerError("SourceFetchFailed", `${what} ${url} failed${last ? `: ${last}` : ` (git exit code ${String(result.code)})`}.`);
}
