import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuthorizationRequest, Authorizer } from "../iam/authorization.js";
import type { Principal } from "../iam/principal.js";
import type { FoundKey } from "../iam/sigv4/verify.js";
import { OWN_PULL_SUBJECT } from "../registry/types.js";
import { ManualClock } from "../util/clock.js";
import { registryScopeAuthorizer } from "./registry-scopes.js";

const ACCOUNT = "123456789012";
const user = (id: string): Principal => ({ accessKeyId: id, accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/${id}`, type: "IAMUser", userName: id });

describe("registry scopes: docker pull and push as IAM decides ECR's actions", () => {
  const clock = new ManualClock(1_000_000);
  const keys: Record<string, FoundKey> = {
    AKIAPULLER: { secretAccessKey: "s", principal: user("AKIAPULLER") },
    AKIAPUSHER: { secretAccessKey: "s", principal: user("AKIAPUSHER") },
    ASIAEXPIRED: { secretAccessKey: "s", principal: user("ASIAEXPIRED"), session: { tokenSha256: "x", expiresAt: 999_999 } },
    ASIALIVE: { secretAccessKey: "s", principal: user("ASIALIVE"), session: { tokenSha256: "x", expiresAt: 2_000_000 } },
  };
  const asked: AuthorizationRequest[] = [];
  const allowed: Record<string, (a: string) => boolean> = {
    AKIAPULLER: (a) => a === "ecr:BatchGetImage" || a === "ecr:GetDownloadUrlForLayer",
    AKIAPUSHER: (a) => a.startsWith("ecr:"),
    ASIAEXPIRED: () => true,
    ASIALIVE: (a) => a !== "ecr:PutImage",
  };
  const authorizer: Authorizer = {
    authorize: () => undefined,
    decide(principal, request) {
      asked.push(request);
      return allowed[principal.accessKeyId]?.(request.action) ? "Allow" : "ImplicitDeny";
    },
  };
  const may = registryScopeAuthorizer({ credentials: { find: (id) => keys[id] }, authorizer, region: "eu-west-1", accountId: ACCOUNT, clock });

  const cases: { name: string; key: string; action: "pull" | "push"; want: boolean }[] = [
    { name: "a key allowed BatchGetImage and GetDownloadUrlForLayer pulls", key: "AKIAPULLER", action: "pull", want: true },
    { name: "the same key may not push", key: "AKIAPULLER", action: "push", want: false },
    { name: "a key allowed ecr:* pushes", key: "AKIAPUSHER", action: "push", want: true },
    { name: "a key that no longer exists (deleted, inactive) gets nothing", key: "AKIAGONE", action: "pull", want: false },
    { name: "an expired session gets nothing, whatever its policies", key: "ASIAEXPIRED", action: "pull", want: false },
    { name: "a push needs every one of its actions (PutImage denied)", key: "ASIALIVE", action: "push", want: false },
    { name: "a live session pulls", key: "ASIALIVE", action: "pull", want: true },
    { name: "OpenRunner's own pulls are not IAM's to judge", key: OWN_PULL_SUBJECT, action: "pull", want: true },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(may({ accessKeyId: c.key, repository: "team/app", action: c.action, sourceIp: "127.0.0.1" }), c.want));
  }

  it("asks on the repository's ECR ARN", () => {
    asked.length = 0;
    may({ accessKeyId: "AKIAPULLER", repository: "team/app", action: "pull", sourceIp: "127.0.0.1" });
    assert.deepEqual(asked.map((r) => r.resource), [`arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/team/app`, `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/team/app`]);
  });
});
