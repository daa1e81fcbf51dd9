import { AppRunnerError } from "../errors/app-runner-error.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import { parsePolicy } from "./policy/engine.js";
import type { Principal } from "./principal.js";
import { conditionContext, serviceTrustDecision, timeConditions } from "./role-trust.js";
import type { RoleDirectory, RoleRecord } from "./roles.js";
import type { RoleSessions, TemporaryCredentials, TemporarySessionWriter } from "./sessions.js";
import { issueTemporaryCredentials } from "./temporary-credentials.js";

/** RoleSessionName's pattern and length (STS's model: [\w+=,.@-]*, 2..64). */
export const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** The shortest session STS issues, in seconds. */
export const MIN_SESSION_SECONDS = 900;

/** Who a role session acts as: `arn:aws:sts::<account>:assumed-role/<role>/<session>`, aws:userid `AROA…:<session>`. */
export function roleSessionPrincipal(input: {
  role: RoleRecord;
  sessionName: string;
  accessKeyId: string;
  accountId: string;
  issuedAt: number;
  expiresAt: number;
  sessionTags?: Readonly<Record<string, string>>;
}): Principal {
  const { role, sessionName } = input;
  const principal: Principal = {
    accessKeyId: input.accessKeyId,
    accountId: input.accountId,
    arn: `arn:aws:sts::${input.accountId}:assumed-role/${role.name}/${sessionName}`,
    type: "AssumedRole",
    userId: `${role.roleId}:${sessionName}`,
    role: { arn: role.arn, name: role.name, id: role.roleId, sessionName },
    issuedAt: input.issuedAt,
    expiresAt: input.expiresAt,
  };
  if (input.sessionTags && Object.keys(input.sessionTags).length > 0) principal.sessionTags = input.sessionTags;
  return principal;
}

export interface RoleSessionsDeps {
  /** Where issued credentials are kept: the store's `sessions`. */
  sessions: TemporarySessionWriter;
  roles: RoleDirectory;
  clock: Clock;
  random: Random;
  accountId: string;
}

/** The role `service` may assume as `sessionName`, or AccessDenied/ValidationError saying why not. */
function trustedRole(deps: Pick<RoleSessionsDeps, "roles">, input: { roleArn: string; service: string; sessionName: string }, now: number): RoleRecord {
  const refused = (why: string): AppRunnerError =>
    new AppRunnerError("AccessDenied", `${input.service} is not authorized to perform: sts:AssumeRole on resource: ${input.roleArn}: ${why}`);
  if (!ROLE_SESSION_NAME.test(input.sessionName)) {
    throw new AppRunnerError("ValidationError", `Value '${input.sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}`);
  }
  const role = deps.roles.roleByArn(input.roleArn);
  if (!role) throw refused("the role does not exist");
  const context = conditionContext({ ...timeConditions(now), "sts:rolesessionname": input.sessionName });
  if (serviceTrustDecision(parsePolicy(role.trustPolicy, "trust"), input.service, role.arn, context) !== "Allow") {
    throw refused("the role's trust policy does not allow the service to assume it");
  }
  return role;
}

/**
 * App Runner acting as a role in the control plane itself (reading a deployment's secrets with
 * the instance role): the same trust check as assumeForService, and the same role session
 * principal, but no credentials are issued or stored, since nothing outside signs with them.
 * Its accessKeyId is empty: CloudTrail shows no key for App Runner's own reads.
 */
export function servicePrincipal(
  deps: Pick<RoleSessionsDeps, "roles" | "clock" | "accountId">,
  input: { roleArn: string; service: string; sessionName: string },
): Principal {
  const now = deps.clock.now();
  const role = trustedRole(deps, input, now);
  return roleSessionPrincipal({ role, sessionName: input.sessionName, accessKeyId: "", accountId: deps.accountId, issuedAt: now, expiresAt: now + MIN_SESSION_SECONDS * 1000 });
}

/**
 * App Runner's own role sessions (access role: build.apprunner.amazonaws.com; instance role:
 * tasks.apprunner.amazonaws.com): the role must exist and its trust policy must allow the
 * service principal sts:AssumeRole; the credentials act as the role session.
 */
export function createRoleSessions(deps: RoleSessionsDeps): RoleSessions {
  return {
    assumeForService(input): TemporaryCredentials {
      const now = deps.clock.now();
      const role = trustedRole(deps, input, now);
      if (!(Number.isInteger(input.durationSeconds) && input.durationSeconds >= MIN_SESSION_SECONDS && input.durationSeconds <= role.maxSessionDuration)) {
        throw new AppRunnerError("ValidationError", `The requested DurationSeconds (${input.durationSeconds}) must be within ${MIN_SESSION_SECONDS}..${role.maxSessionDuration} (the role's MaxSessionDuration).`);
      }
      const { credentials } = issueTemporaryCredentials({
        sessions: deps.sessions,
        clock: deps.clock,
        random: deps.random,
        durationSeconds: input.durationSeconds,
        principalOf: (accessKeyId, expiresAt) =>
          roleSessionPrincipal({ role, sessionName: input.sessionName, accessKeyId, accountId: deps.accountId, issuedAt: now, expiresAt }),
      });
      return credentials;
    },
  };
}
