import type { AuthorizationRequest, CallFacts } from "./authorization.js";
import type { Principal } from "./principal.js";
import type { ConditionContext } from "./policy/types.js";

/** What stays the same for every call of one principal until IAM changes: answered without work per call. */
export interface PrincipalFacts {
  username?: readonly string[];
  userid?: readonly string[];
  principalarn: readonly string[];
  principaltype: readonly string[];
  principalaccount: readonly string[];
  /** aws:PrincipalTag/*: the user's or role's own tags, keys lower-cased (IAM's keys are case-insensitive). */
  tags: ReadonlyMap<string, readonly string[]>;
  /** aws:MultiFactorAuthPresent: "false" for temporary credentials (none carry MFA yet), absent for long-term keys, as in AWS. */
  mfa?: readonly string[];
}

/** aws:PrincipalType as IAM spells it. */
const PRINCIPAL_TYPES: Record<Principal["type"], string> = { Root: "Account", IAMUser: "User", AssumedRole: "AssumedRole" };

export function lowerCasedTags(tags: Readonly<Record<string, string>> | undefined): Map<string, readonly string[]> {
  const m = new Map<string, readonly string[]>();
  if (tags) for (const [k, v] of Object.entries(tags)) m.set(k.toLowerCase(), [v]);
  return m;
}

/** The per-principal part of the context, computed once per principal and IAM revision. */
export function principalFacts(principal: Principal, ownTags: Readonly<Record<string, string>>): PrincipalFacts {
  return {
    ...(principal.userName !== undefined && principal.type === "IAMUser" ? { username: [principal.userName] } : {}),
    ...(principal.userId !== undefined ? { userid: [principal.userId] } : {}),
    // For a role session IAM gives the role's ARN, not the session's (IAM User Guide, aws:PrincipalArn).
    principalarn: [principal.role?.arn ?? principal.arn],
    principaltype: [PRINCIPAL_TYPES[principal.type]],
    principalaccount: [principal.accountId],
    tags: lowerCasedTags(ownTags),
    ...(principal.accessKeyId.startsWith("ASIA") ? { mfa: ["false"] } : {}),
  };
}

const RESOURCE_TAG = "resourcetag/";
const PRINCIPAL_TAG = "aws:principaltag/";
const REQUEST_TAG = "aws:requesttag/";

/**
 * The condition keys of one request, answered on demand: nothing is computed until a policy
 * asks for it (resource tags are read from the store only when a condition names one). One
 * object per authorization, reused for every request of the call with `request` swapped.
 */
export class RequestContext implements ConditionContext {
  request: AuthorizationRequest = { action: "", resource: "*" };
  private resourceTagsOf: string | undefined;
  private resourceTagMap: Map<string, readonly string[]> | undefined;
  private sessionTags: Map<string, readonly string[]> | undefined;

  constructor(
    private readonly principal: Principal,
    private readonly facts: PrincipalFacts,
    private readonly call: CallFacts,
    private readonly region: string,
    private readonly resourceTags: (arn: string) => Readonly<Record<string, string>> | undefined,
  ) {}

  get(key: string): readonly string[] | undefined {
    const own = this.request.conditions;
    if (own !== undefined && Object.hasOwn(own, key)) {
      const v = own[key];
      return typeof v === "string" ? [v] : v;
    }
    switch (key) {
      case "aws:username":
        return this.facts.username;
      case "aws:userid":
        return this.facts.userid;
      case "aws:principalarn":
        return this.facts.principalarn;
      case "aws:principaltype":
        return this.facts.principaltype;
      case "aws:principalaccount":
        return this.facts.principalaccount;
      case "aws:currenttime":
        return [new Date(this.call.time).toISOString().replace(/\.\d{3}Z$/, "Z")];
      case "aws:epochtime":
        return [String(Math.floor(this.call.time / 1000))];
      case "aws:sourceip":
        return this.call.sourceIp === "" ? undefined : [this.call.sourceIp.replace(/^::ffff:/, "")];
      case "aws:securetransport":
        return [this.call.secureTransport ? "true" : "false"];
      case "aws:requestedregion":
        return [this.region];
      case "aws:multifactorauthpresent":
        return this.facts.mfa;
      default:
        return this.prefixed(key);
    }
  }

  private prefixed(key: string): readonly string[] | undefined {
    if (key.startsWith(PRINCIPAL_TAG)) {
      const tag = key.slice(PRINCIPAL_TAG.length);
      // Session tags given to AssumeRole win over the role's own tags of the same key.
      return this.sessionTagMap()?.get(tag) ?? this.facts.tags.get(tag);
    }
    if (key.startsWith(REQUEST_TAG)) return undefined; // only the call's own conditions carry request tags
    const colon = key.indexOf(":");
    if (colon > 0 && key.startsWith(RESOURCE_TAG, colon + 1)) {
      const service = key.slice(0, colon);
      // aws:ResourceTag/* for every service; <service>:ResourceTag/* only for that service's own actions.
      if (service !== "aws" && !this.request.action.toLowerCase().startsWith(`${service}:`)) return undefined;
      return this.resourceTagMapOf(this.request.resource)?.get(key.slice(colon + 1 + RESOURCE_TAG.length));
    }
    return undefined;
  }

  private sessionTagMap(): Map<string, readonly string[]> | undefined {
    if (this.principal.sessionTags === undefined) return undefined;
    this.sessionTags ??= lowerCasedTags(this.principal.sessionTags);
    return this.sessionTags;
  }

  private resourceTagMapOf(resource: string): Map<string, readonly string[]> | undefined {
    if (resource === "*" || resource === "") return undefined;
    if (this.resourceTagsOf !== resource) {
      this.resourceTagsOf = resource;
      const tags = this.resourceTags(resource);
      this.resourceTagMap = tags === undefined ? undefined : lowerCasedTags(tags);
    }
    return this.resourceTagMap;
  }
}
