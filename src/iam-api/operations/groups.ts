import { handler } from "../../protocol/context.js";
import type { IamDeps } from "../context.js";
import { createEntity, listed } from "../entities.js";
import { deleteConflict, entityNamed, noSuchEntity } from "../lookups.js";
import type { PageInput } from "../paging.js";
import { groupOf, userOf } from "../wire.js";

export const groupOperations = {
  CreateGroup: handler<{ GroupName: string; Path?: string }, IamDeps>((input, ctx) => {
    const row = ctx.store.tx(() => createEntity(ctx, "group", input.GroupName, input.Path, {}));
    return { Group: groupOf(row) };
  }),
  GetGroup: handler<{ GroupName: string } & PageInput, IamDeps>((input, ctx) => {
    const group = entityNamed(ctx, "group", input.GroupName);
    const users = ctx.store.iam.entities.byIds(ctx.store.iam.links.targetsOf("member", group.id));
    return { Group: groupOf(group), ...listed("Users", users, input, (u) => userOf(u)) };
  }),
  ListGroups: handler<{ PathPrefix?: string } & PageInput, IamDeps>((input, ctx) =>
    listed("Groups", ctx.store.iam.entities.list("group", input.PathPrefix), input, groupOf),
  ),
  DeleteGroup: handler<{ GroupName: string }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => {
      const iam = ctx.store.iam;
      const group = entityNamed(ctx, "group", input.GroupName);
      if (iam.links.targetsOf("member", group.id).length > 0) throw deleteConflict("Cannot delete entity, must remove users from group first.");
      if (iam.inline.all(group.id).length > 0) throw deleteConflict("Cannot delete entity, must delete policies first.");
      if (iam.policies.attachedTo(group.id).length > 0) throw deleteConflict("Cannot delete entity, must detach all policies first.");
      iam.entities.delete(group.id);
    });
    return {};
  }),
  AddUserToGroup: handler<{ GroupName: string; UserName: string }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => {
      const group = entityNamed(ctx, "group", input.GroupName);
      const user = entityNamed(ctx, "user", input.UserName);
      ctx.store.iam.links.add("member", group.id, user.id);
    });
    return {};
  }),
  RemoveUserFromGroup: handler<{ GroupName: string; UserName: string }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => {
      const group = entityNamed(ctx, "group", input.GroupName);
      const user = entityNamed(ctx, "user", input.UserName);
      if (!ctx.store.iam.links.remove("member", group.id, user.id)) {
        throw noSuchEntity(`The user with name ${user.name} cannot be found in group ${group.name}.`);
      }
    });
    return {};
  }),
  ListGroupsForUser: handler<{ UserName: string } & PageInput, IamDeps>((input, ctx) => {
    const user = entityNamed(ctx, "user", input.UserName);
    return listed("Groups", ctx.store.iam.entities.byIds(ctx.store.iam.links.sourcesOf("member", user.id)), input, groupOf);
  }),
};
