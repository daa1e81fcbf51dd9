import { evaluate, parsePolicy } from "../../src/iam/policy/engine.js";
import type { Authorizer } from "../../src/iam/authorization.js";
import type { Decision } from "../../src/iam/policy/types.js";
import type { RoleDirectory, RoleRecord } from "../../src/iam/roles.js";
import type { TemporarySession, TemporarySessionWriter } from "../../src/iam/sessions.js";

export const ACCOUNT = "123456789012";

/** A role as the IAM store would hand it out. */
export function role(name: string, trustPolicy: unknown, over: Partial<RoleRecord> = {}): RoleRecord {
  return {
    arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    name,
    roleId: `AROA${name.toUpperCase().replace(/[^A-Z2-7]/g, "A").padEnd(17, "Q").slice(0, 17)}`,
    path: "/",
    trustPolicy: typeof trustPolicy === "string" ? trustPolicy : JSON.stringify(trustPolicy),
    maxSessionDuration: 3_600,
    tags: {},
    ...over,
  };
}

/** A RoleDirectory over a fixed list (the IAM store's stands in for it once merged). */
export function roleDirectory(roles: readonly RoleRecord[]): RoleDirectory & { add(r: RoleRecord): void } {
  const byArn = new Map(roles.map((r) => [r.arn, r]));
  return { roleByArn: (arn) => byArn.get(arn), add: (r) => byArn.set(r.arn, r) };
}

/** Sessions kept in an array, for tests of what is issued. */
export class SessionList implements TemporarySessionWriter {
  readonly sessions: TemporarySession[] = [];
  insert(s: TemporarySession): void {
    this.sessions.push(s);
  }
}

/**
 * An authorizer whose identity decisions come from one identity policy for every caller,
 * evaluated by the policy engine (Decision per request); authorize() throws nothing.
 */
export function policyAuthorizer(policy: unknown): Authorizer & { asked: string[] } {
  const compiled = parsePolicy(JSON.stringify(policy), "identity");
  const asked: string[] = [];
  return {
    asked,
    authorize: () => undefined,
    decide: (_principal, request): Decision => {
      asked.push(`${request.action} ${request.resource}`);
      return evaluate([compiled], { action: request.action, resource: request.resource, context: { get: () => undefined } });
    },
  };
}
