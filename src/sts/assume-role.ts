import { AppRunnerError } from "../errors/app-runner-error.js";
import type { AuthorizationRequest } from "../iam/authorization.js";
import { parsePolicy } from "../iam/policy/engine.js";
import type { Decision } from "../iam/policy/types.js";
import type { Principal } from "../iam/principal.js";
import { userIdOf } from "../iam/principal-ids.js";
import { MIN_SESSION_SECONDS, roleSessionPrincipal } from "../iam/role-sessions.js";
import type { RoleRecord } from "../iam/roles.js";
import { conditionContext, timeConditions, trustDecision } from "../iam/role-trust.js";
import { issueTemporaryCredentials } from "../iam/temporary-credentials.js";
import { membersOf, type StsCall, type StsDeps, type StsOperation, type StsResult } from "./operation.js";
import { StsInput } from "./params.js";
import { credentialsForTrail, credentialsXml, element } from "./xml.js";

/** AssumeRole's DurationSeconds: at least 15 minutes, at most the role's MaxSessionDuration (≤ 12 h); 1 hour unless asked. */
export const ASSUME_ROLE_SECONDS = { min: MIN_SESSION_SECONDS, max: 43_200, default: 3_600 } as const;
/** A role session assuming a role (role chaining) gets at most one hour. */
export const ROLE_CHAINING_MAX_SECONDS = 3_600;
/** STS packs session tags (and policies) into a budget; PackedPolicySize is the percentage used. */
const PACKED_BUDGET_BYTES = 2_048;

/**
 * How long a session lasts, or why it cannot: the role's MaxSessionDuration bounds it, and a
 * role session (role chaining) is held to an hour whatever the role allows, in STS's words.
 */
export function assumeRoleSeconds(caller: Principal, requested: number | undefined, maxSessionDuration: number): number {
  const seconds = requested ?? ASSUME_ROLE_SECONDS.default;
  if (caller.type === "AssumedRole" && seconds > ROLE_CHAINING_MAX_SECONDS) {
    throw new AppRunnerError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  }
  if (seconds > maxSessionDuration) {
    throw new AppRunnerError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  return seconds;
}

interface AssumeRoleInput {
  roleArn: string;
  sessionName: string;
  durationSeconds: number | undefined;
  externalId: string | undefined;
  tags: { Key: string; Value: string }[];
}

function decode(params: URLSearchParams): AssumeRoleInput {
  const input = new StsInput(params);
  const roleArn = input.string("RoleArn", { required: true, min: 20, max: 2048 });
  const sessionName = input.string("RoleSessionName", { required: true, min: 2, max: 64, pattern: /^[\w+=,.@-]*$/, patternText: "[\\w+=,.@-]*" });
  const durationSeconds = input.integer("DurationSeconds", ASSUME_ROLE_SECONDS);
  const externalId = input.string("ExternalId", { min: 2, max: 1224, pattern: /^[\w+=,.@:/-]*$/, patternText: "[\\w+=,.@:\\/-]*" });
  const tags = input.tags("Tags", { max: 50 });
  input.unsupported(["Policy", "PolicyArns", "SourceIdentity", "ProvidedContexts"], "OpenRunner does not apply session policies, source identities or provided contexts yet");
  input.check();
  const keys = tags.map((t) => t.Key.toLowerCase());
  if (new Set(keys).size !== keys.length) {
    throw new AppRunnerError("ValidationError", "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
  }
  return { roleArn: roleArn ?? "", sessionName: sessionName ?? "", durationSeconds, externalId, tags };
}

/** AWS's refusal, the same whether the role is missing or does not trust the caller (it does not reveal which). */
const refusal = (caller: Principal, roleArn: string): AppRunnerError =>
  new AppRunnerError("AccessDenied", `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);

/** The condition keys of one AssumeRole call, for the trust policy and the caller's own policies. */
function callConditions(input: AssumeRoleInput): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = { "sts:rolesessionname": input.sessionName };
  if (input.externalId !== undefined) out["sts:externalid"] = input.externalId;
  if (input.tags.length > 0) {
    for (const t of input.tags) out[`aws:requesttag/${t.Key.toLowerCase()}`] = t.Value;
    out["aws:tagkeys"] = input.tags.map((t) => t.Key);
  }
  return out;
}

/** What the trust policy reads of the caller (the authorizer adds the same for identity policies). */
function callerConditions(caller: Principal, call: StsCall): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = {
    "aws:principalarn": caller.role?.arn ?? caller.arn,
    "aws:principalaccount": caller.accountId,
    "aws:principaltype": caller.type === "IAMUser" ? "User" : caller.type === "Root" ? "Account" : "AssumedRole",
    "aws:userid": userIdOf(caller),
    "aws:sourceip": call.facts.sourceIp,
    "aws:securetransport": String(call.facts.secureTransport),
    ...timeConditions(call.facts.time),
  };
  if (caller.userName) out["aws:username"] = caller.userName;
  for (const [k, v] of Object.entries(caller.sessionTags ?? {})) out[`aws:principaltag/${k.toLowerCase()}`] = v;
  return out;
}

/**
 * AssumeRole: a role of this account, for an IAM user or a role session (root may not assume
 * roles, as in AWS). The role's trust policy decides together with the caller's identity
 * policies (role-trust.ts); session tags need sts:TagSession the same way.
 */
export const assumeRole: StsOperation = {
  trailInput: (params) => {
    const tags = [...params.keys()].some((k) => k.startsWith("Tags.")) ? { Tags: new StsInput(params).tags("Tags", { max: Infinity }) } : {};
    return { ...membersOf(params, ["RoleArn", "RoleSessionName", "DurationSeconds", "ExternalId"]), ...tags };
  },
  run(call, deps) {
    const caller = call.principal;
    const input = decode(call.params);
    if (caller.type === "Root") throw new AppRunnerError("AccessDenied", "Roles may not be assumed by root accounts.");
    const role = deps.roles.roleByArn(input.roleArn);
    if (!role) throw refusal(caller, input.roleArn);
    const seconds = assumeRoleSeconds(caller, input.durationSeconds, role.maxSessionDuration);
    const conditions = callConditions(input);
    const context = conditionContext({ ...callerConditions(caller, call), ...conditions });
    const trust = parsePolicy(role.trustPolicy, "trust");
    const allowed = (action: string): boolean => {
      const request: AuthorizationRequest = { action, resource: role.arn, conditions };
      const identity = (): Decision => deps.authorizer.decide(caller, request, call.facts);
      return trustDecision({ trust, action, roleArn: role.arn, caller, context, identity }) === "Allow";
    };
    if (!allowed("sts:AssumeRole")) throw refusal(caller, role.arn);
    if (input.tags.length > 0 && !allowed("sts:TagSession")) {
      throw new AppRunnerError("AccessDenied", `User: ${caller.arn} is not authorized to perform: sts:TagSession on resource: ${role.arn}`);
    }
    return issue(deps, input, role, seconds);
  },
};

function issue(deps: StsDeps, input: AssumeRoleInput, role: RoleRecord, seconds: number): StsResult {
  const now = deps.clock.now();
  const sessionTags = Object.fromEntries(input.tags.map((t) => [t.Key, t.Value]));
  const { credentials, principal } = issueTemporaryCredentials({
    sessions: deps.sessions,
    clock: deps.clock,
    random: deps.random,
    durationSeconds: seconds,
    principalOf: (accessKeyId, expiresAt) =>
      roleSessionPrincipal({ role, sessionName: input.sessionName, accessKeyId, accountId: deps.accountId, issuedAt: now, expiresAt, sessionTags }),
  });
  const assumedRoleId = userIdOf(principal);
  const packed = input.tags.length > 0 ? Math.max(1, Math.ceil((100 * Buffer.byteLength(JSON.stringify(sessionTags))) / PACKED_BUDGET_BYTES)) : undefined;
  const resultXml =
    credentialsXml(credentials) +
    `<AssumedRoleUser>${element("AssumedRoleId", assumedRoleId)}${element("Arn", principal.arn)}</AssumedRoleUser>` +
    element("PackedPolicySize", packed);
  return {
    resultXml,
    output: {
      Credentials: credentialsForTrail(credentials),
      AssumedRoleUser: { AssumedRoleId: assumedRoleId, Arn: principal.arn },
      ...(packed !== undefined ? { PackedPolicySize: packed } : {}),
    },
  };
}
