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
