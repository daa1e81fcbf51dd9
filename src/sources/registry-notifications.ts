import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { BodyTooLargeError, readBody } from "../util/request-body.js";
import type { HttpRoute } from "../modules.js";
import type { Random } from "../util/random.js";
import { hasBearerToken, readOrCreateBearerToken } from "../util/bearer-token.js";

export const REGISTRY_NOTIFICATIONS_PATH = "/openrunner/registry-notifications";
const MAX_BODY_BYTES = 1024 * 1024;

/** The token registries present on push notifications: made once, 0600, beside the credentials. */
export function registryNotifyToken(dataDir: string, random: Random): string {
  return readOrCreateBearerToken(join(dataDir, "registry-notify.token"), random);
}

/** One push as a CNCF distribution registry describes it in its notification envelope. */
export interface RegistryPush {
  registryHost: string;
  repository: string;
  tag: string;
  /** The manifest pushed: the tag will point at it (the registry notifies before it moves the tag). */
  digest?: string;
}

/**
 * Pure: the tag pushes in a notification envelope
 * (`application/vnd.docker.distribution.events.v1+json`). Pulls, blob pushes and pushes by
 * digest only are not deployments.
 */
export function pushesOf(envelope: unknown): RegistryPush[] {
  const events = (envelope as { events?: unknown })?.events;
  if (!Array.isArray(events)) return [];
  const out: RegistryPush[] = [];
  for (const e of events as Record<string, unknown>[]) {
    const target = e?.target as Record<string, unknown> | undefined;
    const request = e?.request as Record<string, unknown> | undefined;
    if (e?.action !== "push" || typeof target?.tag !== "string" || typeof target.repository !== "string") continue;
    let host = typeof request?.host === "string" ? request.host : "";
    if (!host && typeof target.url === "string") {
      try {
        host = new URL(target.url).host;
      } catch {
        continue; // No host anywhere: the push cannot be matched to a service.
      }
    }
    if (!host) continue;
    const digest = typeof target.digest === "string" ? target.digest : undefined;
    out.push({ registryHost: host, repository: target.repository, tag: target.tag, ...(digest ? { digest } : {}) });
  }
  return out;
}

/**
 * The endpoint a registry calls on push (its `notifications.endpoints` with
 * `headers: { Authorization: [Bearer <token>] }`). Answers at once; the deployment starts in the
 * background, as the registry only needs to know the event was taken.
 */
export function registryNotificationsRoute(token: string, onPush: (push: RegistryPush) => Promise<unknown>, logger: (m: string, f?: Record<string, unknown>) => void): HttpRoute {
  return {
    matches: (req) => req.method === "POST" && (req.url ?? "").split("?")[0] === REGISTRY_NOTIFICATIONS_PATH,
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      if (!hasBearerToken(req, token)) {
        res.writeHead(401, { "content-type": "text/plain" }).end("missing or wrong bearer token\n");
        req.resume();
        return;
      }
      let body: Buffer;
      try {
        body = await readBody(req, MAX_BODY_BYTES);
      } catch (err) {
        if (!(err instanceof BodyTooLargeError)) throw err;
        res.writeHead(413).end();
        return;
      }
      let envelope: unknown;
      try {
        envelope = JSON.parse(body.toString("utf8"));
      } catch {
        res.writeHead(400, { "content-type": "text/plain" }).end("the body is not JSON\n");
        return;
      }
      const pushes = pushesOf(envelope);
      res.writeHead(200, { "content-type": "application/json" }).end(`{"accepted":${pushes.length}}\n`);
      for (const p of pushes) {
        onPush(p).catch((err: unknown) => logger("registry notification: checking the pushed image failed", { ...p, error: String(err) }));
      }
    },
  };
}
