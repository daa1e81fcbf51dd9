import type { AppliedPolicy, IdentityPolicySource } from "../../src/iam/identity-policies.js";
import type { Principal } from "../../src/iam/principal.js";

/** The bench's IAM user: its key id, secret and name. */
export const BENCH_USER = { name: "bench-ci", accessKeyId: "AKIABENCHUSER0000001", secretAccessKey: "bench-user-secret-0123456789abcdefghijklmn" };

/**
 * Ten policies of ten statements, as a team's CI user collects them: allows and denies on other
 * services and other teams' resources, conditions on the caller's tags, address and the time,
 * and the one statement that allows reading App Runner last, so every call walks all hundred.
 */
export function benchPolicies(): AppliedPolicy[] {
  const policies: AppliedPolicy[] = [];
  for (let p = 0; p < 10; p++) {
    const statements: object[] = [];
    for (let s = 0; s < 10; s++) {
      const team = `team-${p}-${s}`;
      if (p === 9 && s === 9) {
        statements.push({
          Sid: "ReadAppRunner",
          Effect: "Allow",
          Action: ["apprunner:Describe*", "apprunner:List*"],
          Resource: "*",
          Condition: { StringLike: { "aws:username": "bench-*" } },
        });
      } else if (s % 4 === 0) {
        statements.push({ Effect: "Allow", Action: [`ecr:BatchGet${p}${s}*`, "ecr:Describe*"], Resource: `arn:aws:ecr:*:*:repository/${team}/*` });
      } else if (s % 4 === 1) {
        statements.push({
          Effect: "Allow",
          Action: "logs:Get*",
          Resource: `arn:aws:logs:*:*:log-group:/aws/apprunner/${team}/*`,
          Condition: { StringEquals: { "aws:PrincipalTag/team": `team-${p}` } },
        });
      } else if (s % 4 === 2) {
        statements.push({ Effect: "Deny", Action: ["apprunner:Delete*", "apprunner:Pause*"], Resource: `arn:aws:apprunner:*:*:service/prod-${team}/*` });
      } else {
        statements.push({
          Effect: "Allow",
          Action: "apprunner:Update*",
          Resource: `arn:aws:apprunner:*:*:service/${team}/*`,
          Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" }, DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } },
        });
      }
    }
    policies.push({ id: `arn:aws:iam::aws:policy/bench-${p}:v1`, document: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
  }
  return policies;
}

/** The bench user's principal in `account`. */
export function benchPrincipal(account: string): Principal {
  return {
    accessKeyId: BENCH_USER.accessKeyId,
    accountId: account,
    arn: `arn:aws:iam::${account}:user/${BENCH_USER.name}`,
    type: "IAMUser",
    userName: BENCH_USER.name,
    userId: "AIDABENCHUSERBENCHUSE",
  };
}

/** A fixed IdentityPolicySource: the bench user has the hundred statements, nobody else anything. */
export function benchPolicySource(): IdentityPolicySource {
  const policies = benchPolicies();
  return {
    policiesOf: (p) => (p.userName === BENCH_USER.name ? policies : []),
    principalTags: () => ({ team: "team-3" }),
    revision: () => 1,
  };
}
