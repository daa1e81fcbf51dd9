import type { Principal } from "./principal.js";

/** Temporary credentials as STS hands them out (AssumeRole, GetSessionToken, App Runner's own role sessions). */
export interface TemporaryCredentials {
  /** ASIA… */
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ms since the epoch. */
  expiration: number;
}

/**
 * App Runner assuming a role for its own work, as the real service does with its service
 * principals: `build.apprunner.amazonaws.com` for an access role (pulling a private image),
 * `tasks.apprunner.amazonaws.com` for an instance role (credentials for the running code).
 * The role's trust policy must trust that service principal, or the call is refused
 * (AccessDenied, with the role and service named).
 */
export interface RoleSessions {
  assumeForService(input: { roleArn: string; service: string; sessionName: string; durationSeconds: number }): TemporaryCredentials;
}

/**
 * Temporary credentials as they are kept: the secret sealed by the store, the session token
 * only as its SHA-256 (a request proves it holds the token; nothing needs it back), the
 * principal every request signed with them acts as.
 */
export interface TemporarySession {
  /** ASIA… */
  accessKeyId: string;
  secretAccessKey: string;
  /** SHA-256 of the session token, lower-case hex. */
  tokenSha256: string;
  principal: Principal;
  createdAt: number;
  /** ms since the epoch. */
  expiresAt: number;
}

/** Where issued credentials are kept (the store's SessionRepository). */
export interface TemporarySessionWriter {
  insert(session: TemporarySession): void;
}
