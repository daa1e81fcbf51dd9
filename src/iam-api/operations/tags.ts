import type { OperationHandler } from "../../protocol/context.js";
import type { Tag } from "../../store/iam/entities.js";
import type { IamDeps } from "../context.js";
import { listTags, tagEntity } from "../entities.js";
import { entityNamed } from "../lookups.js";
import type { PageInput } from "../paging.js";

/** Tag<Holder>, Untag<Holder> and List<Holder>Tags for users and roles, one implementation. */
export function tagOperations(holder: "User" | "Role"): Record<string, OperationHandler<IamDeps>> {
  const kind = holder === "User" ? "user" : "role";
  const nameOf = (input: Record<string, unknown>): string => input[`${holder}Name`] as string;
  return {
    [`Tag${holder}`]: (input, ctx) => {
      ctx.store.tx(() => tagEntity(ctx, entityNamed(ctx, kind, nameOf(input)), input.Tags as Tag[]));
      return {};
    },
    [`Untag${holder}`]: (input, ctx) => {
      ctx.store.tx(() => ctx.store.iam.entities.removeTags(entityNamed(ctx, kind, nameOf(input)).id, input.TagKeys as string[]));
      return {};
    },
    [`List${holder}Tags`]: (input, ctx) => listTags(ctx, entityNamed(ctx, kind, nameOf(input)), input as PageInput),
  };
}
