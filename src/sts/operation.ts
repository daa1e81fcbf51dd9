import type { CallFacts, Authorizer } from "../iam/authorization.js";
import type { Principal } from "../iam/principal.js";
import type { RoleDirectory } from "../iam/roles.js";
import type { TemporarySessionWriter } from "../iam/sessions.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";

/** What STS's operations work with. */
export interface StsDeps {
  accountId: string;
  clock: Clock;
  random: Random;
  sessions: TemporarySessionWriter;
  roles: RoleDirectory;
  authorizer: Authorizer;
}

export interface StsCall {
  principal: Principal;
  params: URLSearchParams;
  facts: CallFacts;
}

export interface StsResult {
  /** The inside of `<OpResult>`. */
  resultXml: string;
  /** What the audit trail records as responseElements (never the secret; the token hidden by its name). */
  output: Record<string, unknown>;
}

/** One STS operation: what the trail records of its request, and the operation itself. */
export interface StsOperation {
  /** The request's members as sent, for the trail (whatever is wrong with them). */
  trailInput(params: URLSearchParams): Record<string, unknown>;
  run(call: StsCall, deps: StsDeps): StsResult;
}

/** The named members present in `params`, as the trail records requestParameters. */
export function membersOf(params: URLSearchParams, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const v = params.get(name);
    if (v !== null) out[name] = v;
  }
  return out;
}
