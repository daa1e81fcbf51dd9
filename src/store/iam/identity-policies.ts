import type { AppliedPolicy, IdentityPolicySource } from "../../iam/identity-policies.js";
import type { Principal } from "../../iam/principal.js";
import type { EntityRow } from "./entities.js";
import type { IamStore } from "./iam-store.js";

/** The user (by unique id, then name) or role (by unique id, then ARN) a principal acts as; undefined for root or one that is gone. */
export function entityOf(iam: IamStore, principal: Principal): EntityRow | undefined {
  if (principal.type === "IAMUser") {
    const byId = principal.userId !== undefined ? iam.entities.byId(principal.userId) : undefined;
    return byId ?? (principal.userName !== undefined ? iam.entities.byName("user", principal.userName) : undefined);
  }
  if (principal.type === "AssumedRole" && principal.role) {
    return iam.entities.byId(principal.role.id) ?? iam.entities.byArn(principal.role.arn);
  }
  return undefined;
}

/** An entity's own policies: inline ones, then the default version of each attached managed policy. */
function policiesOfEntity(iam: IamStore, entityId: string): AppliedPolicy[] {
  const out: AppliedPolicy[] = iam.inline.all(entityId).map((p) => ({ id: `inline:${entityId}:${p.name}`, document: p.document }));
  for (const arn of iam.policies.attachedTo(entityId)) {
    const policy = iam.policies.get(arn);
    const version = policy && iam.policies.version(arn, policy.defaultVersion);
    if (policy && version) out.push({ id: `${arn}:${policy.defaultVersion}`, document: version.document });
  }
  return out;
}

/**
 * What the authorizer evaluates for a caller, read from the IAM store: a user's own policies
 * and its groups', a role session's role's. `revision()` is the store's IAM revision.
 */
export function storeIdentityPolicies(iam: IamStore): IdentityPolicySource {
  return {
    policiesOf(principal) {
      const entity = entityOf(iam, principal);
      if (!entity) return [];
      const own = policiesOfEntity(iam, entity.id);
      if (entity.kind !== "user") return own;
      return [...own, ...iam.links.sourcesOf("member", entity.id).flatMap((groupId) => policiesOfEntity(iam, groupId))];
    },
    principalTags(principal) {
      const entity = entityOf(iam, principal);
      return entity ? Object.fromEntries(iam.entities.tags(entity.id).map((t) => [t.Key, t.Value])) : {};
    },
    revision: () => iam.revision.value(),
  };
}
