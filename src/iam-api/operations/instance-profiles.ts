import { AppRunnerError } from "../../errors/app-runner-error.js";
import { handler } from "../../protocol/context.js";
import type { Tag } from "../../store/iam/entities.js";
import type { IamDeps } from "../context.js";
import { createEntity, listed } from "../entities.js";
import { deleteConflict, entityNamed, noSuchEntity } from "../lookups.js";
import type { PageInput } from "../paging.js";
import { instanceProfileOf } from "../wire.js";

/** Instance profiles hold one role, as in IAM; Terraform's role deletion lists them, so they are served. */
export const instanceProfileOperations = {
  CreateInstanceProfile: handler<{ InstanceProfileName: string; Path?: string; Tags?: Tag[] }, IamDeps>((input, ctx) => {
    const row = ctx.store.tx(() => createEntity(ctx, "instance-profile", input.InstanceProfileName, input.Path, {}, input.Tags));
    return { InstanceProfile: instanceProfileOf(ctx.store.iam, row) };
  }),
  GetInstanceProfile: handler<{ InstanceProfileName: string }, IamDeps>((input, ctx) => ({
    InstanceProfile: instanceProfileOf(ctx.store.iam, entityNamed(ctx, "instance-profile", input.InstanceProfileName)),
  })),
  ListInstanceProfiles: handler<{ PathPrefix?: string } & PageInput, IamDeps>((input, ctx) =>
    listed("InstanceProfiles", ctx.store.iam.entities.list("instance-profile", input.PathPrefix), input, (r) => instanceProfileOf(ctx.store.iam, r)),
  ),
  DeleteInstanceProfile: handler<{ InstanceProfileName: string }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => {
      const row = entityNamed(ctx, "instance-profile", input.InstanceProfileName);
      if (ctx.store.iam.links.targetsOf("profile-role", row.id).length > 0) throw deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
      ctx.store.iam.entities.delete(row.id);
    });
    return {};
  }),
  AddRoleToInstanceProfile: handler<{ InstanceProfileName: string; RoleName: string }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => {
      const profile = entityNamed(ctx, "instance-profile", input.InstanceProfileName);
      const role = entityNamed(ctx, "role", input.RoleName);
      if (ctx.store.iam.links.targetsOf("profile-role", profile.id).length > 0) {
        throw new AppRunnerError("IamLimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
      }
      ctx.store.iam.links.add("profile-role", profile.id, role.id);
    });
    return {};
  }),
  RemoveRoleFromInstanceProfile: handler<{ InstanceProfileName: string; RoleName: string }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => {
      const profile = entityNamed(ctx, "instance-profile", input.InstanceProfileName);
      const role = entityNamed(ctx, "role", input.RoleName);
      if (!ctx.store.iam.links.remove("profile-role", profile.id, role.id)) {
        throw noSuchEntity(`The role with name ${role.name} cannot be found in instance profile ${profile.name}.`);
      }
    });
    return {};
  }),
  ListInstanceProfilesForRole: handler<{ RoleName: string } & PageInput, IamDeps>((input, ctx) => {
    const role = entityNamed(ctx, "role", input.RoleName);
    const profiles = ctx.store.iam.entities.byIds(ctx.store.iam.links.sourcesOf("profile-role", role.id));
    return listed("InstanceProfiles", profiles, input, (r) => instanceProfileOf(ctx.store.iam, r));
  }),
};
