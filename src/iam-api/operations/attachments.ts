import { AppRunnerError } from "../../errors/app-runner-error.js";
import { handler, type OperationHandler } from "../../protocol/context.js";
import type { EntityKind } from "../../store/iam/entities.js";
import type { ManagedPolicyRow } from "../../store/iam/policies.js";
import type { IamDeps } from "../context.js";
import { listed } from "../entities.js";
import { entityNamed, managedPolicy, noSuchEntity } from "../lookups.js";
import type { PageInput } from "../paging.js";
import { refuseServiceLinked } from "../service-linked-role.js";

type Holder = "User" | "Group" | "Role";

const KIND = { User: "user", Group: "group", Role: "role" } as const satisfies Record<Holder, EntityKind>;

/** IAM's default quota of managed policies attached to one user, group or role. */
const MAX_ATTACHED = 10;

/** Attach/Detach<Holder>Policy and ListAttached<Holder>Policies, one implementation for users, groups and roles. */
function attachmentOperations(holder: Holder): Record<string, OperationHandler<IamDeps>> {
  const nameOf = (input: Record<string, unknown>): string => input[`${holder}Name`] as string;
  return {
    [`Attach${holder}Policy`]: (input, ctx) => {
      ctx.store.tx(() => {
        const entity = entityNamed(ctx, KIND[holder], nameOf(input));
        refuseServiceLinked(entity);
        const arn = input.PolicyArn as string;
        if (!ctx.store.iam.policies.get(arn)) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
        const attached = ctx.store.iam.policies.attachedTo(entity.id);
        if (!attached.includes(arn) && attached.length >= MAX_ATTACHED) {
          throw new AppRunnerError("IamLimitExceeded", `Cannot exceed quota for PoliciesPer${holder}: ${MAX_ATTACHED}`);
        }
        ctx.store.iam.policies.attach(entity.id, arn);
      });
      return {};
    },
    [`Detach${holder}Policy`]: (input, ctx) => {
      ctx.store.tx(() => {
        const entity = entityNamed(ctx, KIND[holder], nameOf(input));
        refuseServiceLinked(entity);
        const arn = input.PolicyArn as string;
        if (!ctx.store.iam.policies.detach(entity.id, arn)) throw noSuchEntity(`Policy ${arn} was not found.`);
      });
      return {};
    },
    [`ListAttached${holder}Policies`]: (input, ctx) => {
      const entity = entityNamed(ctx, KIND[holder], nameOf(input));
      const prefix = (input.PathPrefix as string | undefined) ?? "/";
      const policies = ctx.store.iam.policies
        .attachedTo(entity.id)
        .map((arn) => ctx.store.iam.policies.get(arn))
        .filter((p): p is ManagedPolicyRow => p !== undefined && p.path.startsWith(prefix));
      return listed("AttachedPolicies", policies, input as PageInput, (p) => ({ PolicyName: p.name, PolicyArn: p.arn }));
    },
  };
}

const ENTITY_LISTS = { user: ["PolicyUsers", "UserName", "UserId"], group: ["PolicyGroups", "GroupName", "GroupId"], role: ["PolicyRoles", "RoleName", "RoleId"] } as const;

export const attachmentOperationsAll: Record<string, OperationHandler<IamDeps>> = {
  ...attachmentOperations("User"),
  ...attachmentOperations("Group"),
  ...attachmentOperations("Role"),
  ListEntitiesForPolicy: handler<{ PolicyArn: string; EntityFilter?: string; PathPrefix?: string } & PageInput, IamDeps>((input, ctx) => {
    const p = managedPolicy(ctx, input.PolicyArn);
    const entities = ctx.store.iam.entities.byIds(ctx.store.iam.policies.attachedEntities(p.arn)).filter((e) => e.path.startsWith(input.PathPrefix ?? "/"));
    const filter = input.EntityFilter?.toLowerCase();
    const out: Record<string, unknown> = { IsTruncated: false };
    for (const kind of ["user", "group", "role"] as const) {
      if (filter !== undefined && filter !== kind) continue;
      const [member, nameKey, idKey] = ENTITY_LISTS[kind];
      out[member] = entities.filter((e) => e.kind === kind).map((e) => ({ [nameKey]: e.name, [idKey]: e.id }));
    }
    return out;
  }),
};
