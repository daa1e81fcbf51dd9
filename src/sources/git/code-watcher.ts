import { startAutomaticDeployment, type LifecycleDeps } from "../../domain/service-lifecycle.js";
import type { ServiceDoc, ServiceInternal, ServiceRow } from "../../domain/service-record.js";
import { PeriodicTask, type TaskTimers } from "../../util/periodic-task.js";
import { connectionToken, type MasterKey } from "./connection-token.js";
import type { GitAuth } from "./git-command.js";
import { normalizeRepoUrl } from "./urls.js";
import type { GitPush } from "./webhook.js";

export const CODE_COMMIT_TRIGGER = "CODE_COMMIT";
/** How often a push that found its service busy is looked at again (when polling is off or slow). */
const DEFAULT_RETRY_MS = 2000;
/** How long such a push is kept waiting for its service. */
const DEFERRED_FOR_MS = 30 * 60_000;

export interface CodeWatcherOptions {
  deps: LifecycleDeps;
  /** GitSources.resolve: the branch's commit, by ls-remote. */
  resolve: (url: string, branch: string, auth?: GitAuth, signal?: AbortSignal) => Promise<string>;
  /** For connection tokens (private repositories): the master key, or the data directory's own secret.key. */
  dataDir: string;
  masterKey?: MasterKey;
  /** How often every watched branch is resolved again; 0 turns polling off (webhooks still work). */
  pollMs: number;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** Tests: the token of a connection (default: connectionToken with the data directory's key). */
  connectionToken?: (connectionArn: string) => string;
  /** How often a deferred push is retried (default 2 s). */
  retryMs?: number;
  /** Tests: the time, for deferred pushes (default Date.now). */
  now?: () => number;
  /** Tests: the poll's and the retry's timers (Node's by default). */
  timers?: TaskTimers;
}

/**
 * Automatic deployment for source-code services: a new commit on the service's branch starts a
 * deployment (trigger CODE_COMMIT). Found by polling (`git ls-remote`) or at once from a push
 * webhook. A commit whose deployment failed is not tried again until the branch moves on. A push
 * that arrives while the service is busy is looked at again until the service can deploy.
 */
export class CodeWatcher {
  private readonly poll: PeriodicTask;
  /** Looks at deferred pushes again; a pass with none deferred does nothing. */
  private readonly retry: PeriodicTask;
  /** Aborts the git commands of pushes under way when the watcher stops. */
  private readonly stopping = new AbortController();
  /** Per service: the commit last deployed automatically (or failed), so a bad one is tried once. */
  private readonly attempted = new Map<string, string>();
  /** Per service: when a push found it busy (it is looked at again until it can deploy). */
  private readonly deferred = new Map<string, number>();

  constructor(private readonly opts: CodeWatcherOptions) {
    const timers = opts.timers ? { timers: opts.timers } : {};
    this.poll = new PeriodicTask({ name: "code watcher poll", everyMs: opts.pollMs, run: (signal) => this.pass(signal), logger: opts.logger, ...timers });
    this.retry = new PeriodicTask({
      name: "code watcher: retrying pushes that found their service busy",
      everyMs: opts.retryMs ?? DEFAULT_RETRY_MS,
      run: (signal) => this.checkDeferred(signal),
      logger: opts.logger,
      ...timers,
    });
  }

  /** Polls every pollMs (none with pollMs 0) and retries deferred pushes. Idempotent. */
  start(): void {
    this.poll.start();
    this.retry.start();
  }

  /** No pass after this; a git command under way is aborted and awaited. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all([this.poll.stop(), this.retry.stop()]);
  }

  /** A push webhook: the services on that repository and branch. Resolves to how many there are. */
  async onPush(push: GitPush): Promise<number> {
    const wanted = new Set(push.urls.map((u) => normalizeRepoUrl(u)).filter((u): u is string => u !== undefined));
    const matching = this.watched().filter((s) => {
      const code = codeOf(s);
      if (!code || code.branch !== push.branch) return false;
      const url = normalizeRepoUrl(code.url);
      return url !== undefined && wanted.has(url);
    });
    this.opts.logger("git push", { branch: push.branch, commit: push.commit, services: matching.length });
    for (const s of matching) {
      const outcome = await this.check(s, push.commit, this.stopping.signal);
      if (outcome === "busy" && !this.deferred.has(s.arn)) this.deferred.set(s.arn, (this.opts.now ?? Date.now)());
    }
    return matching.length;
  }

  /** A polling pass that starts now or right after the one under way (never overlapping it). */
  async checkAll(): Promise<void> {
    await this.poll.runNow();
  }

  private async pass(signal: AbortSignal): Promise<void> {
    for (const s of this.watched()) {
      if (signal.aborted) break;
      try {
        await this.check(s, undefined, signal);
      } catch (err) {
        this.opts.logger("automatic deployment: checking the service failed", { service: s.arn, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  /** Services whose pushes found them busy, looked at again (the retry task calls this every retryMs). */
  async checkDeferred(signal?: AbortSignal): Promise<void> {
    const now = (this.opts.now ?? Date.now)();
    for (const [arn, since] of [...this.deferred]) {
      if (signal?.aborted) break;
      const s = this.watched().find((w) => w.arn === arn);
      if (!s || now - since > DEFERRED_FOR_MS) {
        this.deferred.delete(arn);
        continue;
      }
      const outcome = await this.check(s, undefined, signal);
      if (outcome !== "busy") this.deferred.delete(arn);
    }
  }

  private watched(): ServiceRow[] {
    return this.opts.deps.store.resources
      .list<ServiceDoc, ServiceInternal>({ kind: "service" })
      .filter((s) => !s.deletedAt && s.doc.SourceConfiguration?.AutoDeploymentsEnabled === true && codeOf(s) !== undefined);
  }

  /**
   * Compares the branch's commit with the deployed one; starts a deployment when they differ.
   * `pushed`: the commit a webhook announced, used when the repository cannot be asked.
   */
  private async check(s: ServiceRow, pushed?: string, signal?: AbortSignal): Promise<"current" | "started" | "busy" | "skipped" | "failed"> {
    const code = codeOf(s);
    const current = s.internal.currentCommit;
    if (!code || !current) {
      this.opts.logger("automatic deployment: not now (no deployed commit yet)", { service: s.arn, status: s.status });
      return "skipped";
    }
    if (s.status !== "RUNNING") {
      this.opts.logger("automatic deployment: not now (the service is not running)", { service: s.arn, status: s.status });
      return s.status === "OPERATION_IN_PROGRESS" ? "busy" : "skipped";
    }
    let commit: string;
    try {
      commit = await this.opts.resolve(code.url, code.branch, this.auth(s), signal);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (pushed === undefined) {
        this.opts.logger("automatic deployment: resolving the branch failed", { service: s.arn, branch: code.branch, error });
        return "failed";
      }
      // The push was signed with the shared secret: its commit can be trusted when the host is
      // not reachable from here just now.
      this.opts.logger("automatic deployment: resolving the branch failed, using the pushed commit", { service: s.arn, error });
      commit = pushed;
    }
    if (commit === current || commit === this.attempted.get(s.arn)) return "current";
    const op = startAutomaticDeployment(this.opts.deps, s.arn, CODE_COMMIT_TRIGGER);
    if (op) this.attempted.set(s.arn, commit);
    this.opts.logger(op ? "automatic deployment started" : "automatic deployment deferred: the service is busy", {
      service: s.arn,
      branch: code.branch,
      commit,
      operationId: op,
    });
    return op ? "started" : "busy";
  }

  private auth(s: ServiceRow): GitAuth | undefined {
    const arn = s.doc.SourceConfiguration?.AuthenticationConfiguration?.ConnectionArn;
    if (!arn) return undefined;
    const token = this.opts.connectionToken ? this.opts.connectionToken(arn) : connectionToken(this.opts.deps.store, this.opts.masterKey ?? this.opts.dataDir, arn);
    return { token };
  }
}

function codeOf(s: ServiceRow): { url: string; branch: string } | undefined {
  const repo = s.doc.SourceConfiguration?.CodeRepository;
  const version = repo?.SourceCodeVersion;
  if (!repo?.RepositoryUrl || !version?.Value || (version.Type !== undefined && version.Type !== "BRANCH")) return undefined;
  return { url: repo.RepositoryUrl, branch: version.Value };
}
