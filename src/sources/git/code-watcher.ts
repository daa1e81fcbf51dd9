import type { ApiDeps } from "../../api/context.js";
import { startAutomaticDeployment } from "../../api/operations/services.js";
import type { ServiceDoc, ServiceInternal, ServiceRow } from "../../domain/service-record.js";
import { connectionToken } from "./connection-token.js";
import type { GitAuth } from "./git-command.js";
import { normalizeRepoUrl } from "./urls.js";
import type { GitPush } from "./webhook.js";

export const CODE_COMMIT_TRIGGER = "CODE_COMMIT";
/** How often a push that found its service busy is looked at again (when polling is off or slow). */
const DEFAULT_RETRY_MS = 2000;
/** How long such a push is kept waiting for its service. */
const DEFERRED_FOR_MS = 30 * 60_000;

export interface CodeWatcherOptions {
  deps: ApiDeps;
  /** GitSources.resolve: the branch's commit, by ls-remote. */
  resolve: (url: string, branch: string, auth?: GitAuth, signal?: AbortSignal) => Promise<string>;
  /** For connection tokens (private repositories). */
  dataDir: string;
  /** How often every watched branch is resolved again; 0 turns polling off (webhooks still work). */
  pollMs: number;
  logger: (message: string, fields?: Record<string, unknown>) => void;
  /** Tests: the token of a connection (default: connectionToken with the data directory's key). */
  connectionToken?: (connectionArn: string) => string;
  /** How often a deferred push is retried (default 2 s). */
  retryMs?: number;
  /** Tests: the time, for deferred pushes (default Date.now). */
  now?: () => number;
}

/**
 * Automatic deployment for source-code services: a new commit on the service's branch starts a
 * deployment (trigger CODE_COMMIT). Found by polling (`git ls-remote`) or at once from a push
 * webhook. A commit whose deployment failed is not tried again until the branch moves on. A push
 * that arrives while the service is busy is looked at again until the service can deploy.
 */
export class CodeWatcher {
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly abort = new AbortController();
  /** Per service: the commit last deployed automatically (or failed), so a bad one is tried once. */
  private readonly attempted = new Map<string, string>();
  /** Per service: when a push found it busy (it is looked at again until it can deploy). */
  private readonly deferred = new Map<string, number>();

  constructor(private readonly opts: CodeWatcherOptions) {}

  start(): void {
    if (this.opts.pollMs > 0) {
      this.pollTimer = setInterval(() => void this.checkAll(), this.opts.pollMs);
      this.pollTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.abort.abort();
    await this.running;
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
      const outcome = await this.check(s, push.commit);
      if (outcome === "busy") this.defer(s.arn);
    }
    return matching.length;
  }

  /** One polling pass (also what tests call instead of waiting for the timer). */
  checkAll(): Promise<void> {
    this.running ??= (async () => {
      try {
        for (const s of this.watched()) {
          if (this.stopped) break;
          try {
            await this.check(s);
          } catch (err) {
            this.opts.logger("automatic deployment: checking the service failed", { service: s.arn, error: err instanceof Error ? err.message : String(err) });
          }
        }
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Services whose pushes found them busy, looked at again (the retry timer calls this). */
  async checkDeferred(): Promise<void> {
    const now = (this.opts.now ?? Date.now)();
    for (const [arn, since] of [...this.deferred]) {
      const s = this.watched().find((w) => w.arn === arn);
      if (!s || now - since > DEFERRED_FOR_MS) {
        this.deferred.delete(arn);
        continue;
      }
      const outcome = await this.check(s);
      if (outcome !== "busy") this.deferred.delete(arn);
    }
  }

  private defer(arn: string): void {
    if (!this.deferred.has(arn)) this.deferred.set(arn, (this.opts.now ?? Date.now)());
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped || this.deferred.size === 0) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.checkDeferred()
        .catch((err: unknown) => this.opts.logger("automatic deployment: retrying a push failed", { error: String(err) }))
        .finally(() => this.scheduleRetry());
    }, this.opts.retryMs ?? DEFAULT_RETRY_MS);
    this.retryTimer.unref();
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
  private async check(s: ServiceRow, pushed?: string): Promise<"current" | "started" | "busy" | "skipped" | "failed"> {
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
      commit = await this.opts.resolve(code.url, code.branch, this.auth(s), this.abort.signal);
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
    const token = this.opts.connectionToken ? this.opts.connectionToken(arn) : connectionToken(this.opts.deps.store, this.opts.dataDir, arn);
    return { token };
  }
}

function codeOf(s: ServiceRow): { url: string; branch: string } | undefined {
  const repo = s.doc.SourceConfiguration?.CodeRepository;
  const version = repo?.SourceCodeVersion;
  if (!repo?.RepositoryUrl || !version?.Value || (version.Type !== undefined && version.Type !== "BRANCH")) return undefined;
  return { url: repo.RepositoryUrl, branch: version.Value };
}
