/**
 * The instance role's credentials for the running application, as the AWS SDKs' container
 * credential provider reads them (ECS/EKS: `AWS_CONTAINER_CREDENTIALS_FULL_URI` answered with
 * `{AccessKeyId, SecretAccessKey, Token, Expiration}`, `AWS_CONTAINER_AUTHORIZATION_TOKEN` sent
 * as the Authorization header). Each instance has its own URI and token: the token is an HMAC of
 * the instance id under a key of the data directory, so it survives a restart of the control
 * plane (instances outlive it) and an instance's token opens no other instance's credentials.
 * A role session is assumed for `tasks.apprunner.amazonaws.com`, as App Runner does, and kept
 * until less than REFRESH_BEFORE_MS of it is left: the SDKs ask again on their own when the
 * Expiration they were given nears, and always get credentials with at least that much left.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { Clock } from "../util/clock.js";
import type { RoleSessions, TemporaryCredentials } from "./sessions.js";

export const INSTANCE_CREDENTIALS_PATH = "/openrunner/instance-credentials/";
/** App Runner's service principal for instance roles. */
export const INSTANCE_ROLE_SERVICE = "tasks.apprunner.amazonaws.com";
/** One hour: every role allows it (MaxSessionDuration is 3600..43200). */
export const INSTANCE_SESSION_SECONDS = 3600;
/** Credentials handed out have at least this long left (the SDKs refresh ~5 minutes before the end). */
export const REFRESH_BEFORE_MS = 30 * 60_000;

/** The token an instance's SDK sends (hex HMAC-SHA256 of its id). */
export function instanceCredentialsToken(key: Buffer, instanceId: string): string {
  return createHmac("sha256", key).update(`instance-credentials\n${instanceId}`).digest("hex");
}

/** What an instance of a service with an instance role finds in its environment. */
export function instanceRoleEnvironment(input: { key: Buffer; instanceId: string; gateway: string; region: string }): Record<string, string> {
  const base = `http://${input.gateway}`;
  return {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${base}${INSTANCE_CREDENTIALS_PATH}${input.instanceId}`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: instanceCredentialsToken(input.key, input.instanceId),
    AWS_ENDPOINT_URL: base,
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
  };
}

/** Pure: whether cached credentials may still be handed out at `now`. */
export function stillFresh(credentials: TemporaryCredentials, now: number, refreshBeforeMs = REFRESH_BEFORE_MS): boolean {
  return credentials.expiration - now > refreshBeforeMs;
}

/** The answer the SDKs parse (Expiration in RFC 3339). */
export function containerCredentialsBody(c: TemporaryCredentials): { AccessKeyId: string; SecretAccessKey: string; Token: string; Expiration: string } {
  return { AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey, Token: c.sessionToken, Expiration: new Date(c.expiration).toISOString() };
}

export interface InstanceCredentialsOptions {
  /** Absent: OpenRunner has no STS to assume roles with; instances get a clear error. */
  roleSessions?: RoleSessions;
  /** The instance role of a running instance; undefined for an instance that is gone or has none. */
  roleOf(instanceId: string): string | undefined;
  key: Buffer;
  clock: Clock;
}

/** Issues (and caches) each running instance's role session. */
export class InstanceCredentials {
  private readonly cache = new Map<string, { roleArn: string; credentials: TemporaryCredentials }>();

  constructor(private readonly opts: InstanceCredentialsOptions) {}

  /** Throws AccessDenied for a wrong token, ResourceNotFound for an instance without a role, the STS's error when the role cannot be assumed. */
  credentialsFor(instanceId: string, authorization: string | undefined): TemporaryCredentials {
    const expected = Buffer.from(instanceCredentialsToken(this.opts.key, instanceId));
    const given = Buffer.from(authorization ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AppRunnerError("AccessDenied", "The authorization token does not open this instance's credentials.");
    }
    const roleArn = this.opts.roleOf(instanceId);
    if (!roleArn) {
      this.cache.delete(instanceId);
      throw new AppRunnerError("ResourceNotFound", `Instance ${instanceId} is not running, or its service has no instance role.`);
    }
    const now = this.opts.clock.now();
    this.forgetExpired(now);
    const cached = this.cache.get(instanceId);
    if (cached && cached.roleArn === roleArn && stillFresh(cached.credentials, now)) return cached.credentials;
    const sessions = this.opts.roleSessions;
    if (!sessions) throw new AppRunnerError("InternalServiceError", "OpenRunner has no role sessions (STS) to assume the instance role with.");
    const credentials = sessions.assumeForService({ roleArn, service: INSTANCE_ROLE_SERVICE, sessionName: instanceId, durationSeconds: INSTANCE_SESSION_SECONDS });
    this.cache.set(instanceId, { roleArn, credentials });
    return credentials;
  }

  /** Instances that stopped asking (gone, or replaced) leave nothing behind past their credentials' end. */
  private forgetExpired(now: number): void {
    for (const [id, entry] of this.cache) if (entry.credentials.expiration <= now) this.cache.delete(id);
  }
}

/** The HTTP route the SDKs call: GET <INSTANCE_CREDENTIALS_PATH><instance id>. */
export function instanceCredentialsRoute(
  issuer: InstanceCredentials,
  logger: (message: string, fields?: Record<string, unknown>) => void,
): { matches(req: IncomingMessage): boolean; handle(req: IncomingMessage, res: ServerResponse): Promise<void> } {
  return {
    matches: (req) => (req.url ?? "").startsWith(INSTANCE_CREDENTIALS_PATH),
    handle(req, res) {
      req.resume();
      const instanceId = (req.url ?? "").slice(INSTANCE_CREDENTIALS_PATH.length).split("?")[0] ?? "";
      const json = (status: number, body: unknown): void => {
        res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
      };
      if (req.method !== "GET" || !/^[A-Za-z0-9-]{1,64}$/.test(instanceId)) {
        json(400, { Code: "InvalidRequest", Message: "GET <path>/<instance id> only." });
        return Promise.resolve();
      }
      try {
        json(200, containerCredentialsBody(issuer.credentialsFor(instanceId, req.headers.authorization)));
      } catch (err) {
        const e = err instanceof AppRunnerError ? err : new AppRunnerError("InternalServiceError", "The instance role's credentials could not be issued.", { cause: err });
        // Never the token or a secret: the instance and why.
        logger("instance role credentials refused", { instanceId, code: e.code, error: e.message, ...(e === err ? {} : { cause: String(err) }) });
        json(e.httpStatus === 400 && e.code === "ResourceNotFound" ? 404 : e.httpStatus, { Code: e.awsType, Message: e.message });
      }
      return Promise.resolve();
    },
  };
}
