import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { gitContext, gitFailure, runGit, type GitAuth, type GitContext, type GitResult } from "./git-command.js";
import { parseSourceUrl } from "./urls.js";

/** A checked-out commit of the service's repository, ready to build. */
export interface SourceCheckout {
  /** Absolute path of the directory to build (SourceDirectory inside the checkout). */
  dir: string;
  /** Full commit id deployed. */
  commit: string;
  /** Branch (or tag) name the commit was resolved from. */
  ref: string;
  /** First line of the commit message, for the deployment log. */
  subject: string;
}

export type { GitAuth } from "./git-command.js";

export interface GitSourcesOptions {
  /** `<data-dir>/sources`: one folder per service (its mirror and work directories). */
  dir: string;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** Longest a clone or fetch may take (default 10 minutes). */
  fetchTimeoutMs?: number;
  /** Longest an ls-remote or a local git step may take (default 60 s). */
  resolveTimeoutMs?: number;
  /** What relative local paths are taken from (default the process's working directory). */
  cwd?: string;
}

export interface CheckoutRequest {
  /** The service's id (last part of its ARN): names its folder. */
  serviceId: string;
  /** CodeRepository.RepositoryUrl */
  url: string;
  /** SourceCodeVersion.Value (Type BRANCH) */
  branch: string;
  /** CodeRepository.SourceDirectory: the folder of a monorepo to build ("/" or absent: the root). */
  sourceDirectory?: string;
  auth?: GitAuth;
  /** A commit to deploy instead of the branch's newest (it must be on the branch). */
  commit?: string;
  /** Deployment log lines. */
  log: (line: string) => void;
  signal?: AbortSignal;
}

const DEFAULT_FETCH_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_RESOLVE_TIMEOUT_MS = 60_000;
/** Work directories of a service kept besides the newest (the previous build's, for a look after a failure). */
const KEEP_OLD_WORK_DIRS = 1;
const SERVICE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const COMMIT = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * The source of code services: resolves branches without cloning (`git ls-remote`), and keeps
 * one bare mirror per service, fetched incrementally, from which each deployment's commit is
 * exported into a fresh work directory (files only, no .git). Credentials travel only in git's
 * environment (see git-command.ts); nothing on disk holds them.
 */
export class GitSources {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly fetchTimeoutMs: number;
  private readonly resolveTimeoutMs: number;

  constructor(private readonly opts: GitSourcesOptions) {
    this.fetchTimeoutMs = opts.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
    this.resolveTimeoutMs = opts.resolveTimeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS;
  }

  /** The commit the branch names now, asked of the repository without fetching anything. */
  async resolve(url: string, branch: string, auth?: GitAuth, signal?: AbortSignal): Promise<string> {
    const ref = branchRef(branch);
    const ctx = gitContext(parseSourceUrl(url, this.opts.cwd), auth);
    const started = Date.now();
    const result = await runGit({
      args: [...ctx.configArgs, "ls-remote", "--", ctx.loc.target, ref],
      env: ctx.env,
      timeoutMs: this.resolveTimeoutMs,
      signal,
    });
    if (result.code !== 0) throw gitFailure(ctx, result, "Resolving the branch of", branch, this.resolveTimeoutMs);
    for (const line of result.stdout.split("\n")) {
      const [sha, name] = line.trim().split(/\s+/);
      if (name === ref && sha !== undefined && COMMIT.test(sha)) {
        this.opts.logger("git ls-remote", { url: ctx.loc.display, branch, commit: sha, ms: Date.now() - started });
        return sha;
      }
    }
    throw new AppRunnerError("SourceNotFound", `Branch '${branch}' was not found in ${ctx.loc.display}.`);
  }

  /** Fetches the branch into the service's mirror and exports its commit into a new work directory. */
  async checkout(req: CheckoutRequest): Promise<SourceCheckout> {
    checkServiceId(req.serviceId);
    return this.locked(req.serviceId, () => this.checkoutLocked(req));
  }

  /** Removes everything kept for the service (its mirror and work directories); on DeleteService. */
  async cleanup(serviceId: string): Promise<void> {
    checkServiceId(serviceId);
    return this.locked(serviceId, async () => {
      rmSync(join(this.opts.dir, serviceId), { recursive: true, force: true });
    });
  }

  private async checkoutLocked(req: CheckoutRequest): Promise<SourceCheckout> {
    const ref = branchRef(req.branch);
    const subdir = sourceSubdirectory(req.sourceDirectory);
    if (req.commit !== undefined && !COMMIT.test(req.commit)) throw new AppRunnerError("InvalidRequest", `Not a commit id: ${req.commit}`);
    const ctx = gitContext(parseSourceUrl(req.url, this.opts.cwd), req.auth);
    const serviceDir = join(this.opts.dir, req.serviceId);
    const mirror = join(serviceDir, "mirror.git");
    const originFile = join(serviceDir, "origin");
    const started = Date.now();

    // The mirror is trusted only once a fetch into it succeeded (the origin file says from where).
    const origin = existsSync(originFile) ? readFileSync(originFile, "utf8") : undefined;
    const fresh = origin !== ctx.loc.target || !existsSync(join(mirror, "HEAD"));
    if (fresh) {
      if (origin !== undefined && origin !== ctx.loc.target) req.log(`The repository URL changed: cloning it again`);
      rmSync(originFile, { force: true });
      rmSync(mirror, { recursive: true, force: true });
      mkdirSync(serviceDir, { recursive: true });
      req.log(`Cloning ${ctx.loc.display} (branch ${req.branch})`);
      if (ctx.loc.kind === "path") {
        // A repository on this host: a local clone hardlinks its objects instead of packing them
        // (a second instead of many for a large one); the fetch below then has nothing to do.
        const cloned = await runGit({ args: ["clone", "--quiet", "--bare", "--no-tags", "--", ctx.loc.target, mirror], env: ctx.env, timeoutMs: this.fetchTimeoutMs, signal: req.signal });
        if (cloned.code !== 0) throw gitFailure(ctx, cloned, "Cloning", req.branch, this.fetchTimeoutMs);
      } else {
        await this.local(ctx, ["init", "--quiet", "--bare", mirror], req.signal);
      }
    } else {
      req.log(`Fetching ${ctx.loc.display} (branch ${req.branch})`);
    }

    const fetched = await runGit({
      args: [...ctx.configArgs, "--git-dir", mirror, "fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "--no-write-fetch-head", "--", ctx.loc.target, `+${ref}:${ref}`],
      env: ctx.env,
      timeoutMs: this.fetchTimeoutMs,
      signal: req.signal,
    });
    if (fetched.code !== 0) throw gitFailure(ctx, fetched, fresh ? "Cloning" : "Fetching", req.branch, this.fetchTimeoutMs);
    if (fresh) writeFileSync(originFile, ctx.loc.target);
    const fetchMs = Date.now() - started;

    if (req.commit !== undefined) {
      const has = await runGit({ args: ["--git-dir", mirror, "merge-base", "--is-ancestor", req.commit, ref], env: ctx.env, timeoutMs: this.resolveTimeoutMs });
      if (has.code !== 0) {
        throw new AppRunnerError("SourceNotFound", `Commit ${req.commit.slice(0, 7)} is not on branch '${req.branch}' of ${ctx.loc.display}.`);
      }
    }
    // The commit id and its message's first line, in one call.
    const shown = await this.local(ctx, ["--git-dir", mirror, "show", "--no-patch", "--format=%H%n%B", `${req.commit ?? ref}^{commit}`, "--"], req.signal, 64 * 1024);
    const [commit = "", firstLine = ""] = shown.split("\n");
    const subject = firstLine.trim();
    if (!COMMIT.test(commit)) throw new AppRunnerError("SourceFetchFailed", `git did not name the commit of ${req.branch} in ${ctx.loc.display}.`);

    if (subdir !== "") {
      const type = await runGit({ args: ["--git-dir", mirror, "cat-file", "-t", `${commit}:${subdir}`], env: ctx.env, timeoutMs: this.resolveTimeoutMs });
      if (type.code !== 0 || type.stdout.trim() !== "tree") {
        throw new AppRunnerError(
          "SourceNotFound",
          type.code !== 0
            ? `Source directory '${subdir}' does not exist in commit ${commit.slice(0, 7)} of ${ctx.loc.display} (branch ${req.branch}).`
            : `Source directory '${subdir}' is a file, not a directory, in commit ${commit.slice(0, 7)} of ${ctx.loc.display}.`,
        );
      }
    }

    const work = await this.export(ctx, serviceDir, mirror, commit, req.signal);
    const checkout: SourceCheckout = { dir: subdir === "" ? work : join(work, subdir), commit, ref: req.branch, subject };
    req.log(`Fetched ${req.branch} at ${commit.slice(0, 7)}: ${subject}`);
    this.opts.logger("git checkout", { serviceId: req.serviceId, url: ctx.loc.display, branch: req.branch, commit, fresh, fetchMs, totalMs: Date.now() - started });
    return checkout;
  }

  /** The commit's files in a new work directory (older ones of the service removed). */
  private async export(ctx: GitContext, serviceDir: string, mirror: string, commit: string, signal: AbortSignal | undefined): Promise<string> {
    const workRoot = join(serviceDir, "work");
    mkdirSync(workRoot, { recursive: true });
    pruneWorkDirs(workRoot, KEEP_OLD_WORK_DIRS);
    const work = join(workRoot, `${commit.slice(0, 12)}-${randomBytes(4).toString("hex")}`);
    const index = join(serviceDir, `index-${randomBytes(4).toString("hex")}`);
    mkdirSync(work);
    const env = { ...ctx.env, GIT_INDEX_FILE: index };
    try {
      // read-tree + checkout-index writes files as a clone would (modes, symlinks, eol
      // attributes) without the export-ignore and export-subst rewriting of `git archive`.
      for (const args of [["read-tree", commit], ["checkout-index", "--all", "--force"]]) {
        const r = await runGit({ args: ["--git-dir", mirror, "--work-tree", work, ...args], env, timeoutMs: this.fetchTimeoutMs, signal });
        if (r.code !== 0) throw gitFailure(ctx, r, "Checking out", "", this.fetchTimeoutMs);
      }
      return work;
    } catch (err) {
      rmSync(work, { recursive: true, force: true });
      throw err;
    } finally {
      rmSync(index, { force: true });
    }
  }

  /** A git command on the mirror that only fails if something is wrong here. */
  private async local(ctx: GitContext, args: string[], signal: AbortSignal | undefined, maxStdout?: number): Promise<string> {
    const r: GitResult = await runGit({ args, env: ctx.env, timeoutMs: this.resolveTimeoutMs, signal, maxStdout });
    if (r.code !== 0) {
      if (r.aborted) throw gitFailure(ctx, r, "Checking out", "", this.resolveTimeoutMs);
      throw new AppRunnerError("SourceFetchFailed", `git ${args.find((a) => !a.startsWith("-") && !a.includes("/")) ?? ""} failed: ${ctx.redact(r.stderr).trim().slice(-300)}`);
    }
    return r.stdout;
  }

  private locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(key, tail);
    void tail.then(() => {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    });
    return next;
  }
}

function checkServiceId(id: string): void {
  if (!SERVICE_ID.test(id) || id.includes("..")) throw new AppRunnerError("InvalidRequest", `Not a service id: ${JSON.stringify(id)}`);
}

/**
 * Pure: `refs/heads/<branch>` for a branch name git would accept (check-ref-format's rules), so
 * nothing taken from the API can become an option or a refspec trick.
 */
export function branchRef(branch: string): string {
  const name = branch.startsWith("refs/heads/") ? branch.slice("refs/heads/".length) : branch;
  const bad =
    name === "" ||
    name === "@" ||
    name.startsWith("-") ||
    name.startsWith("/") ||
    name.endsWith("/") ||
    name.endsWith(".") ||
    name.endsWith(".lock") ||
    name.includes("..") ||
    name.includes("//") ||
    name.includes("@{") ||
    name.split("/").some((part) => part.startsWith(".")) ||
    // eslint-disable-next-line no-control-regex
    /[\x00-\x20\x7f~^:?*[\\]/.test(name);
  if (bad) throw new AppRunnerError("InvalidRequest", `Not a valid branch name: ${JSON.stringify(branch)}`);
  return `refs/heads/${name}`;
}

/** Pure: SourceDirectory as a path inside the repository ("" for the root); never leaves it. */
export function sourceSubdirectory(dir: string | undefined): string {
  const parts = (dir ?? "").split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => p === ".." || p.includes("\0"))) {
    throw new AppRunnerError("InvalidRequest", `SourceDirectory must be a folder inside the repository: ${JSON.stringify(dir)}`);
  }
  return parts.join("/");
}

function pruneWorkDirs(root: string, keep: number): void {
  const dirs = readdirSync(root)
    .map((name) => ({ path: join(root, name), mtime: statSync(join(root, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const d of dirs.slice(keep)) rmSync(d.path, { recursive: true, force: true });
}
