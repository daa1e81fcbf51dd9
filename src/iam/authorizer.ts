import { AppRunnerError } from "../errors/app-runner-error.js";
import { accessDeniedMessage, type AuthorizationRequest, type Authorizer, type CallFacts } from "./authorization.js";
import { principalFacts, RequestContext, type PrincipalFacts } from "./condition-context.js";
import type { IdentityPolicySource } from "./identity-policies.js";
import { evaluate, parsePolicy } from "./policy/engine.js";
import type { CompiledPolicy, Decision } from "./policy/types.js";
import type { Principal } from "./principal.js";

export interface AuthorizerOptions {
  /** What applies to each caller (the IAM store's, at the composition root). */
  policies: IdentityPolicySource;
  /** aws:ResourceTag/* and <service>:ResourceTag/*: a resource's tags by ARN, read only when a condition asks. */
  resourceTags: (arn: string) => Readonly<Record<string, string>> | undefined;
  accountId: string;
  /** aws:RequestedRegion. */
  region: string;
}

/** One principal's compiled policies and fixed context keys, good while the IAM revision holds. */
interface PrincipalEntry {
  policies: readonly CompiledPolicy[];
  facts: PrincipalFacts;
  revision: number;
}

interface CompiledDocument {
  text: string;
  policy: CompiledPolicy;
}

/**
 * Identity-based authorization of every call: root is allowed everything without looking;
 * anyone else is judged by the policies IdentityPolicySource gives for them, explicit deny
 * over allow over implicit deny. Documents are parsed once (by id, and text: an inline policy
 * keeps its id when rewritten) and each principal's set is kept until `revision()` moves, so a
 * call costs a map lookup and the evaluation itself.
 */
export function createAuthorizer(opts: AuthorizerOptions): Authorizer {
  const principals = new Map<string, PrincipalEntry>();
  const documents = new Map<string, CompiledDocument>();
  let revision = opts.policies.revision();

  const compiled = (id: string, text: string): CompiledPolicy => {
    const known = documents.get(id);
    if (known !== undefined && known.text === text) return known.policy;
    let policy: CompiledPolicy;
    try {
      policy = parsePolicy(text, "identity");
    } catch (err) {
      // IAM checked it when it was written: a stored policy that no longer parses must not be skipped (it may be a Deny).
      throw new AppRunnerError("InternalServiceError", `The stored policy ${id} could not be read.`, { cause: err });
    }
    documents.set(id, { text, policy });
    return policy;
  };

  // The credential lookup hands out one principal object per key: most calls find their entry here, without building a key.
  const byObject = new WeakMap<Principal, PrincipalEntry>();

  const entryOf = (principal: Principal): PrincipalEntry => {
    const now = opts.policies.revision();
    if (now !== revision) {
      revision = now;
      principals.clear();
      documents.clear();
    }
    const known = byObject.get(principal);
    if (known !== undefined && known.revision === revision) return known;
    // A GetSessionToken session shares its user's ARN; the kind of key keeps their entries apart.
    const key = `${principal.arn}\n${principal.accessKeyId.startsWith("ASIA") ? "temporary" : "long-term"}`;
    let entry = principals.get(key);
    if (entry === undefined) {
      // The source is never asked about a root (its contract); another account's root has no policies here, so it is denied.
      const foreignRoot = principal.type === "Root";
      entry = {
        policies: foreignRoot ? [] : opts.policies.policiesOf(principal).map((p) => compiled(p.id, p.document)),
        facts: principalFacts(principal, foreignRoot ? {} : opts.policies.principalTags(principal)),
        revision,
      };
      principals.set(key, entry);
    }
    byObject.set(principal, entry);
    return entry;
  };

  const contextOf = (principal: Principal, call: CallFacts): { entry: PrincipalEntry; context: RequestContext } => {
    const entry = entryOf(principal);
    return { entry, context: new RequestContext(principal, entry.facts, call, opts.region, opts.resourceTags) };
  };

  const judge = (entry: PrincipalEntry, context: RequestContext, request: AuthorizationRequest): Decision => {
    context.request = request;
    return evaluate(entry.policies, { action: request.action, resource: request.resource, context });
  };

  return {
    authorize(principal, requests, call) {
      if (isRoot(principal, opts.accountId)) return;
      const { entry, context } = contextOf(principal, call);
      for (const request of requests) {
        const decision = judge(entry, context, request);
        if (decision !== "Allow") {
          throw new AppRunnerError("AccessDenied", accessDeniedMessage(principal, request.action, request.resource, decision === "ExplicitDeny"));
        }
      }
    },
    decide(principal, request, call) {
      if (isRoot(principal, opts.accountId)) return "Allow";
      const { entry, context } = contextOf(principal, call);
      return judge(entry, context, request);
    },
  };
}

/** The account's own root: never subject to identity policies (another account's root would be). */
const isRoot = (principal: Principal, accountId: string): boolean => principal.type === "Root" && principal.accountId === accountId;
