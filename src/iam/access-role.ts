/**
 * App Runner's access role for a private image (ECR): before a deployment pulls from the
 * built-in registry, App Runner assumes the service's access role as
 * `build.apprunner.amazonaws.com` (the role must exist and trust that service principal) and the
 * role session must be allowed to read the repository: `ecr:BatchGetImage` and
 * `ecr:GetDownloadUrlForLayer` on its ARN, by the role's own policies (as
 * AWSAppRunnerServicePolicyForECRAccess allows). Otherwise the deployment fails with the reason
 * and the running version keeps serving.
 */
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { Clock } from "../util/clock.js";
import type { Authorizer } from "./authorization.js";
import type { RoleSessions } from "./sessions.js";
import type { CredentialLookup } from "./sigv4/verify.js";

/** App Runner's service principal for access roles. */
export const ACCESS_ROLE_SERVICE = "build.apprunner.amazonaws.com";
/** What pulling an image takes on ECR (the manifest, then the layers). */
export const PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] as const;
/** The shortest session STS grants: a pull needs no more. */
const ACCESS_SESSION_SECONDS = 900;

export interface AccessRoleDeps {
  /** Absent: no STS, so no role can be assumed and no private image pulled. */
  roleSessions?: RoleSessions;
  /** Who the role session's credentials are, as SigV4 would see them signing a request. */
  credentials: CredentialLookup;
  authorizer: Authorizer;
  clock: Clock;
}

/** Throws ImageAccessDenied unless `roleArn` may pull from `repositoryArn` (the access role's session is named `sessionName`). */
export function checkAccessRole(deps: AccessRoleDeps, input: { roleArn: string; repositoryArn: string; sessionName: string }): void {
  const cannot = `The access role ${input.roleArn} cannot pull from ${input.repositoryArn}`;
  if (!deps.roleSessions) throw new AppRunnerError("ImageAccessDenied", `${cannot}: OpenRunner has no role sessions (STS) to assume it with.`);
  let accessKeyId: string;
  try {
    accessKeyId = deps.roleSessions.assumeForService({ roleArn: input.roleArn, service: ACCESS_ROLE_SERVICE, sessionName: input.sessionName, durationSeconds: ACCESS_SESSION_SECONDS }).accessKeyId;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new AppRunnerError("ImageAccessDenied", `${cannot}: ${ACCESS_ROLE_SERVICE} cannot assume it (${why}).`, { cause: err });
  }
  const principal = deps.credentials.find(accessKeyId)?.principal;
  if (!principal) throw new AppRunnerError("ImageAccessDenied", `${cannot}: the role session's credentials are not known.`);
  // The pull is App Runner's own, made from this host.
  const call = { sourceIp: "127.0.0.1", secureTransport: false, time: deps.clock.now() };
  for (const action of PULL_ACTIONS) {
    const decision = deps.authorizer.decide(principal, { action, resource: input.repositoryArn }, call);
    if (decision === "Allow") continue;
    const how = decision === "ExplicitDeny" ? "an explicit deny in its policies" : "no policy of the role allows it";
    throw new AppRunnerError("ImageAccessDenied", `${cannot}: ${action} is not allowed (${how}).`);
  }
}
