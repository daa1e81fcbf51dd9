import { AppRunnerError } from "../../errors/app-runner-error.js";
import { parsePolicy } from "../../iam/policy/engine.js";
import { handler } from "../../protocol/context.js";
import type { Tag } from "../../store/iam/entities.js";
import { roleDocOf } from "../../store/iam/role-directory.js";
import type { IamDeps } from "../context.js";
import { createEntity, listed, refusePermissionsBoundary } from "../entities.js";
import { deleteConflict, entityNamed } from "../lookups.js";
import type { PageInput } from "../paging.js";
import { tagOperations } from "./tags.js";
import { APP_RUNNER_SERVICE, createAppRunnerServiceLinkedRole, refuseServiceLinked, SERVICE_LINKED_ROLE_NAME } from "../service-linked-role.js";
import { roleOf } from "../wire.js";

/** A role's session lasts an hour unless its MaxSessionDuration says longer (IAM's default). */
const DEFAULT_MAX_SESSION = 3600;

interface CreateRoleInput {
  RoleName: string;
  Path?: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration?: number;
  PermissionsBoundary?: string;
  Tags?: Tag[];
}

export const roleOperations = {
  CreateRole: handler<CreateRoleInput, IamDeps>((input, ctx) => {
    refusePermissionsBoundary(input);
    parsePolicy(input.AssumeRolePolicyDocument, "trust");
    const doc = {
      trustPolicy: input.AssumeRolePolicyDocument,
      maxSessionDuration: input.MaxSessionDuration ?? DEFAULT_MAX_SESSION,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
    };
    const row = ctx.store.tx(() => createEntity(ctx, "role", input.RoleName, input.Path, doc, input.Tags));
    return { Role: roleOf(row, input.Tags) };
  }),
  GetRole: handler<{ RoleName: string }, IamDeps>((input, ctx) => {
    const row = entityNamed(ctx, "role", input.RoleName);
    return { Role: roleOf(row, ctx.store.iam.entities.tags(row.id)) };
  }),
  ListRoles: handler<{ PathPrefix?: string } & PageInput, IamDeps>((input, ctx) =>
    listed("Roles", ctx.store.iam.entities.list("role", input.PathPrefix), input, (r) => roleOf(r)),
  ),
  UpdateRole: handler<{ RoleName: string; Description?: string; MaxSessionDuration?: number }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => {
      const row = entityNamed(ctx, "role", input.RoleName);
      if (input.MaxSessionDuration !== undefined) refuseServiceLinked(row);
      const doc = { ...row.doc, ...(input.Description !== undefined ? { description: input.Description } : {}), ...(input.MaxSessionDuration !== undefined ? { maxSessionDuration: input.MaxSessionDuration } : {}) };
      ctx.store.iam.entities.update(row.id, { name: row.name, path: row.path, arn: row.arn, doc });
    });
    return {};
  }),
  // What Terraform's aws_iam_role calls for a new description (the older, narrower UpdateRole).
  UpdateRoleDescription: handler<{ RoleName: string; Description: string }, IamDeps>((input, ctx) => {
    const row = ctx.store.tx(() => {
      const role = entityNamed(ctx, "role", input.RoleName);
      ctx.store.iam.entities.update(role.id, { name: role.name, path: role.path, arn: role.arn, doc: { ...role.doc, description: input.Description } });
      return entityNamed(ctx, "role", input.RoleName);
    });
    return { Role: roleOf(row, ctx.store.iam.entities.tags(row.id)) };
  }),
  UpdateAssumeRolePolicy: handler<{ RoleName: string; PolicyDocument: string }, IamDeps>((input, ctx) => {
    parsePolicy(input.PolicyDocument, "trust");
    ctx.store.tx(() => {
      const row = entityNamed(ctx, "role", input.RoleName);
      refuseServiceLinked(row);
      ctx.store.iam.entities.update(row.id, { name: row.name, path: row.path, arn: row.arn, doc: { ...roleDocOf(row), trustPolicy: input.PolicyDocument } });
    });
    return {};
  }),
  DeleteRole: handler<{ RoleName: string }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => {
      const iam = ctx.store.iam;
      const row = entityNamed(ctx, "role", input.RoleName);
      refuseServiceLinked(row);
      if (iam.links.sourcesOf("profile-role", row.id).length > 0) throw deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
      if (iam.inline.all(row.id).length > 0) throw deleteConflict("Cannot delete entity, must delete policies first.");
      if (iam.policies.attachedTo(row.id).length > 0) throw deleteConflict("Cannot delete entity, must detach all policies first.");
      iam.entities.delete(row.id);
    });
    return {};
  }),
  ...tagOperations("Role"),
  CreateServiceLinkedRole: handler<{ AWSServiceName: string; Description?: string; CustomSuffix?: string }, IamDeps>((input, ctx) => {
    if (input.AWSServiceName !== APP_RUNNER_SERVICE || input.CustomSuffix !== undefined) {
      throw new AppRunnerError("IamInvalidInput", `OpenRunner has a service-linked role for ${APP_RUNNER_SERVICE} only, without a custom suffix.`);
    }
    const row = ctx.store.tx(() => {
      if (ctx.store.iam.entities.byName("role", SERVICE_LINKED_ROLE_NAME)) {
        throw new AppRunnerError("IamInvalidInput", `Service role name ${SERVICE_LINKED_ROLE_NAME} has been taken in this account, please try a different suffix.`);
      }
      return createAppRunnerServiceLinkedRole(ctx, input.Description);
    });
    return { Role: roleOf(row) };
  }),
};
