import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../util/clock.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { ACCESS_ROLE_SERVICE, checkAccessRole, type AccessRoleDeps } from "./access-role.js";
import type { AuthorizationRequest, Authorizer } from "./authorization.js";
import type { Principal } from "./principal.js";
import type { Decision } from "./policy/types.js";
import type { RoleSessions } from "./sessions.js";

const ROLE = "arn:aws:iam::123456789012:role/AppRunnerECRAccessRole";
const REPO = "arn:aws:ecr:us-east-1:123456789012:repository/app";
const session: Principal = {
  type: "AssumedRole",
  accessKeyId: "ASIAPULL",
  accountId: "123456789012",
  arn: "arn:aws:sts::123456789012:assumed-role/AppRunnerECRAccessRole/op1",
  role: { arn: ROLE, name: "AppRunnerECRAccessRole", id: "AROAEXAMPLE", sessionName: "op1" },
};

function deps(decisions: Record<string, Decision>, opts: { trusted?: boolean; known?: boolean } = {}): AccessRoleDeps & { asked: AuthorizationRequest[]; assumed: unknown[] } {
  const asked: AuthorizationRequest[] = [];
  const assumed: unknown[] = [];
  const roleSessions: RoleSessions = {
    assumeForService(input) {
      assumed.push(input);
      if (opts.trusted === false) throw new AppRunnerError("AccessDenied", `Role ${input.roleArn} does not trust ${input.service}.`);
      return { accessKeyId: "ASIAPULL", secretAccessKey: "s", sessionToken: "t", expiration: 0 };
    },
  };
  const authorizer: Authorizer = {
    authorize: () => undefined,
    decide: (principal, request) => {
      assert.equal(principal, session);
      asked.push(request);
      return decisions[request.action] ?? "ImplicitDeny";
    },
  };
  return {
    roleSessions,
    credentials: { find: (id) => (opts.known !== false && id === "ASIAPULL" ? { secretAccessKey: "s", principal: session } : undefined) },
    authorizer,
    clock: new ManualClock(),
    asked,
    assumed,
  };
}

const ALLOW = { "ecr:BatchGetImage": "Allow", "ecr:GetDownloadUrlForLayer": "Allow" } as const;
const input = { roleArn: ROLE, repositoryArn: REPO, sessionName: "op1" };

test("checkAccessRole: the role is assumed as build.apprunner.amazonaws.com and its session must be allowed both pull actions on the repository", () => {
  const d = deps(ALLOW);
  checkAccessRole(d, input);
  assert.deepEqual(d.assumed, [{ roleArn: ROLE, service: ACCESS_ROLE_SERVICE, sessionName: "op1", durationSeconds: 900 }]);
  assert.deepEqual(d.asked.map((r) => `${r.action} ${r.resource}`), [`ecr:BatchGetImage ${REPO}`, `ecr:GetDownloadUrlForLayer ${REPO}`]);
});

test("checkAccessRole: refusals say which role, which repository and why", () => {
  const cannot = `The access role ${ROLE} cannot pull from ${REPO}: `;
  const cases: [string, AccessRoleDeps, string][] = [
    ["no STS", { ...deps(ALLOW), roleSessions: undefined }, "OpenRunner has no role sessions (STS) to assume it with."],
    ["not trusted", deps(ALLOW, { trusted: false }), `build.apprunner.amazonaws.com cannot assume it (Role ${ROLE} does not trust build.apprunner.amazonaws.com.).`],
    ["unknown session key", deps(ALLOW, { known: false }), "the role session's credentials are not known."],
    ["no policy allows", deps({}), "ecr:BatchGetImage is not allowed (no policy of the role allows it)."],
    ["layers denied", deps({ "ecr:BatchGetImage": "Allow", "ecr:GetDownloadUrlForLayer": "ExplicitDeny" }), "ecr:GetDownloadUrlForLayer is not allowed (an explicit deny in its policies)."],
  ];
  for (const [name, d, why] of cases) {
    assert.throws(() => checkAccessRole(d, input), (err: unknown) => err instanceof AppRunnerError && err.code === "ImageAccessDenied" && err.message === cannot + why, name);
  }
});
