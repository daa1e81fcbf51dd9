import { parsePolicy } from "../../iam/policy/engine.js";
import type { OperationHandler } from "../../protocol/context.js";
import type { EntityRow } from "../../store/iam/entities.js";
import type { IamContext, IamDeps } from "../context.js";
import { listed } from "../entities.js";
import { entityNamed, noSuchEntity } from "../lookups.js";
import { encodedDocument } from "../names.js";
import type { PageInput } from "../paging.js";
import { refuseServiceLinked } from "../service-linked-role.js";

type Holder = "User" | "Group" | "Role";

const KIND = { User: "user", Group: "group", Role: "role" } as const;

/** Put/Get/Delete/List<Holder>Policy(ies): inline policies of users, groups and roles, one implementation. */
function inlineOperations(holder: Holder): Record<string, OperationHandler<IamDeps>> {
  const nameOf = (input: Record<string, unknown>): string => input[`${holder}Name`] as string;
  const notFound = (name: string): Error => noSuchEntity(`The ${KIND[holder]} policy with name ${name} cannot be found.`);
  /** The entity a change is about; a service-linked role's permissions are its service's. */
  const changeable = (ctx: IamContext, input: Record<string, unknown>): EntityRow => {
    const entity = entityNamed(ctx, KIND[holder], nameOf(input));
    refuseServiceLinked(entity);
    return entity;
  };
  return {
    [`Put${holder}Policy`]: (input, ctx) => {
      const document = input.PolicyDocument as string;
      parsePolicy(document, "identity");
      ctx.store.tx(() => ctx.store.iam.inline.put(changeable(ctx, input).id, input.PolicyName as string, document));
      return {};
    },
    [`Get${holder}Policy`]: (input, ctx) => {
      const entity = entityNamed(ctx, KIND[holder], nameOf(input));
      const policy = ctx.store.iam.inline.get(entity.id, input.PolicyName as string);
      if (!policy) throw notFound(input.PolicyName as string);
      return { [`${holder}Name`]: entity.name, PolicyName: policy.name, PolicyDocument: encodedDocument(policy.document) };
    },
    [`Delete${holder}Policy`]: (input, ctx) => {
      ctx.store.tx(() => {
        const entity = changeable(ctx, input);
        if (!ctx.store.iam.inline.delete(entity.id, input.PolicyName as string)) throw notFound(input.PolicyName as string);
      });
      return {};
    },
    [`List${holder}Policies`]: (input, ctx) => {
      const entity = entityNamed(ctx, KIND[holder], nameOf(input));
      return listed("PolicyNames", ctx.store.iam.inline.all(entity.id), input as PageInput, (p) => p.name);
    },
  };
}

export const inlinePolicyOperations: Record<string, OperationHandler<IamDeps>> = {
  ...inlineOperations("User"),
  ...inlineOperations("Group"),
  ...inlineOperations("Role"),
};
