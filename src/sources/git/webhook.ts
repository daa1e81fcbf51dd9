import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { BodyTooLargeError, readBody } from "../../util/request-body.js";
import type { HttpRoute } from "../../modules.js";
import { readOrCreateSecretFile } from "../../util/secret-file.js";

export const GIT_WEBHOOK_PATH = "/openrunner/webhooks/git";
/** GitHub's own limit on a webhook payload. */
const MAX_BODY_BYTES = 25 * 1024 * 1024;
const ZERO_COMMIT = /^0+$/;

/** A branch moved: what a push event says, reduced to what automatic deployment needs. */
export interface GitPush {
  /** Every address the event gives for the repository (clone_url, html_url, ssh_url, ...). */
  urls: string[];
  branch: string;
  /** The commit the branch names after the push. */
  commit: string;
}

/**
 * Pure: whether `header` (`X-Hub-Signature-256: sha256=<hex>`) is the HMAC-SHA256 of `body`
 * with `secret`. Compared in constant time; anything malformed is simply false.
 */
export function verifySignature(secret: string, body: Buffer | string, header: string | undefined): boolean {
  if (secret === "" || typeof header !== "string") return false;
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1].toLowerCase(), "hex");
  const expected = createHmac("sha256", secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Pure: the branch push in a GitHub-format push event (also what Gitea, Forgejo and GitLab's
 * GitHub-compatible senders post). Tag pushes, branch deletions and events without a repository
 * address are not deployments: undefined.
 */
export function pushOf(event: unknown): GitPush | undefined {
  if (typeof event !== "object" || event === null) return undefined;
  const e = event as Record<string, unknown>;
  const ref = e.ref;
  const after = e.after;
  if (typeof ref !== "string" || !ref.startsWith("refs/heads/") || ref.length === "refs/heads/".length) return undefined;
  if (typeof after !== "string" || !/^[0-9a-f]{40}([0-9a-f]{24})?$/i.test(after) || ZERO_COMMIT.test(after) || e.deleted === true) return undefined;
  const repo = e.repository;
  if (typeof repo !== "object" || repo === null) return undefined;
  const r = repo as Record<string, unknown>;
  const urls: string[] = [];
  for (const key of ["clone_url", "html_url", "ssh_url", "git_url", "url", "svn_url"]) {
    const v = r[key];
    if (typeof v === "string" && v !== "" && !urls.includes(v)) urls.push(v);
  }
  if (urls.length === 0) return undefined;
  return { urls, branch: ref.slice("refs/heads/".length), commit: after.toLowerCase() };
}

/**
 * The webhook secret of this data directory (`<data-dir>/git-webhook.secret`, 0600), created on
 * first use: what the operator enters as the webhook's secret at the git host.
 */
export function gitWebhookSecret(dataDir: string): string {
  const file = join(dataDir, "git-webhook.secret");
  const secret = readOrCreateSecretFile(file, () => `${randomBytes(32).toString("hex")}\n`).toString("utf8").trim();
  if (secret === "") throw new Error(`${file} is empty: remove it and a new secret is made`);
  return secret;
}

export interface GitWebhookOptions {
  /** The shared secret (gitWebhookSecret(dataDir)). */
  secret: string;
  /** Called in the background for every branch push; resolves to the number of services it concerned. */
  onPush: (push: GitPush) => Promise<unknown>;
  logger: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * `POST /openrunner/webhooks/git`: push events from a git host (GitHub's format, JSON or
 * form-encoded `payload=`), signed with the shared secret. Answers at once; the deployment
 * starts in the background (a host waits only a few seconds for the answer).
 */
export function gitWebhookRoute(opts: GitWebhookOptions): HttpRoute {
  return {
    matches: (req) => (req.url ?? "").split("?")[0] === GIT_WEBHOOK_PATH,
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { "content-type": "application/json" }).end(`${JSON.stringify(body)}\n`);
      };
      if (req.method !== "POST") {
        req.resume();
        res.setHeader("allow", "POST");
        reply(405, { message: "use POST" });
        return;
      }
      let body: Buffer;
      try {
        body = await readBody(req, MAX_BODY_BYTES);
      } catch (err) {
        if (!(err instanceof BodyTooLargeError)) throw err;
        reply(413, { message: "the body is too large" });
        return;
      }
      const signature = header(req, "x-hub-signature-256");
      if (!verifySignature(opts.secret, body, signature)) {
        opts.logger("git webhook: bad or missing signature", { remote: req.socket.remoteAddress, delivery: header(req, "x-github-delivery") });
        reply(401, { message: "missing or wrong X-Hub-Signature-256" });
        return;
      }
      const event = header(req, "x-github-event") ?? header(req, "x-gitea-event") ?? header(req, "x-gogs-event") ?? "";
      if (event === "ping") {
        reply(200, { message: "pong" });
        return;
      }
      if (event !== "push") {
        reply(202, { message: `event '${event}' ignored: only push events deploy` });
        return;
      }
      let payload: unknown;
      try {
        let text = body.toString("utf8");
        if ((req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
          text = new URLSearchParams(text).get("payload") ?? "";
        }
        payload = JSON.parse(text);
      } catch {
        reply(400, { message: "the body is not a JSON push event" });
        return;
      }
      const push = pushOf(payload);
      if (!push) {
        reply(202, { message: "not a branch push: ignored" });
        return;
      }
      opts.logger("git webhook: push", { branch: push.branch, commit: push.commit, urls: push.urls, delivery: header(req, "x-github-delivery") });
      reply(202, { message: "accepted", branch: push.branch, commit: push.commit });
      opts.onPush(push).catch((err: unknown) =>
        opts.logger("git webhook: checking the pushed branch failed", { ...push, error: err instanceof Error ? err.message : String(err) }),
      );
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
