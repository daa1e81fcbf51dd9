import type { Principal } from "../../iam/principal.js";
import { handler } from "../../protocol/context.js";
import type { Tag } from "../../store/iam/entities.js";
import { epochSeconds, type IamContext, type IamDeps } from "../context.js";
import { createEntity, listed, refusePermissionsBoundary } from "../entities.js";
import { alreadyExists, deleteConflict, entityNamed, targetUser } from "../lookups.js";
import { entityArn } from "../names.js";
import type { PageInput } from "../paging.js";
import { tagOperations } from "./tags.js";
import { userOf } from "../wire.js";

/** The principal an IAM user's access keys sign as. */
export function userPrincipal(accountId: string, user: { id: string; name: string; arn: string }, accessKeyId: string): Principal {
  return { accessKeyId, accountId, arn: user.arn, type: "IAMUser", userId: user.id, userName: user.name };
}

/** GetUser by the root key without a name: the account, as AWS answers it. */
function rootUser(ctx: IamContext): Record<string, unknown> {
  const key = ctx.store.accessKeys.info(ctx.principal.accessKeyId);
  return { User: { UserId: ctx.accountId, Arn: ctx.principal.arn, CreateDate: epochSeconds(key?.createdAt ?? ctx.clock.now()) } };
}

export const userOperations = {
  CreateUser: handler<{ UserName: string; Path?: string; Tags?: Tag[]; PermissionsBoundary?: string }, IamDeps>((input, ctx) => {
    refusePermissionsBoundary(input);
    const row = ctx.store.tx(() => createEntity(ctx, "user", input.UserName, input.Path, {}, input.Tags));
    return { User: userOf(row, input.Tags) };
  }),
  GetUser: handler<{ UserName?: string }, IamDeps>((input, ctx) => {
    if (input.UserName === undefined && ctx.principal.type === "Root") return rootUser(ctx);
    const row = targetUser(ctx, input.UserName);
    return { User: userOf(row, ctx.store.iam.entities.tags(row.id)) };
  }),
  ListUsers: handler<{ PathPrefix?: string } & PageInput, IamDeps>((input, ctx) =>
    listed("Users", ctx.store.iam.entities.list("user", input.PathPrefix), input, (r) => userOf(r)),
  ),
  UpdateUser: handler<{ UserName: string; NewPath?: string; NewUserName?: string }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => {
      const row = entityNamed(ctx, "user", input.UserName);
      const name = input.NewUserName ?? row.name;
      const path = input.NewPath ?? row.path;
      if (name.toLowerCase() !== row.name.toLowerCase() && ctx.store.iam.entities.byName("user", name)) {
        throw alreadyExists(`User with name ${name} already exists.`);
      }
      const arn = entityArn(ctx.accountId, "user", path, name);
      ctx.store.iam.entities.update(row.id, { name, path, arn, doc: row.doc });
      // The user's keys sign as its new name and ARN from the next call on.
      ctx.store.accessKeys.setPrincipal(row.id, (keyId) => userPrincipal(ctx.accountId, { id: row.id, name, arn }, keyId));
    });
    return {};
  }),
  DeleteUser: handler<{ UserName: string }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => {
      const iam = ctx.store.iam;
      const row = entityNamed(ctx, "user", input.UserName);
      if (ctx.store.accessKeys.ownedBy(row.id).length > 0) throw deleteConflict("Cannot delete entity, must delete access keys first.");
      if (iam.inline.all(row.id).length > 0) throw deleteConflict("Cannot delete entity, must delete policies first.");
      if (iam.policies.attachedTo(row.id).length > 0) throw deleteConflict("Cannot delete entity, must detach all policies first.");
      if (iam.links.sourcesOf("member", row.id).length > 0) throw deleteConflict("Cannot delete entity, must remove user from all groups first.");
      iam.entities.delete(row.id);
    });
    return {};
  }),
  ...tagOperations("User"),
};
