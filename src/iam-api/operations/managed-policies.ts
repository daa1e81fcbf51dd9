import { AppRunnerError } from "../../errors/app-runner-error.js";
import { parsePolicy } from "../../iam/policy/engine.js";
import { handler } from "../../protocol/context.js";
import type { Tag } from "../../store/iam/entities.js";
import { iamUniqueId } from "../../store/iam/ids.js";
import type { ManagedPolicyRow } from "../../store/iam/policies.js";
import type { IamContext, IamDeps } from "../context.js";
import { listed, tagEntity } from "../entities.js";
import { alreadyExists, deleteConflict, managedPolicy, noSuchEntity, ownPolicy } from "../lookups.js";
import { customerPolicyArn } from "../names.js";
import type { PageInput } from "../paging.js";
import { policyOf, policyVersionOf } from "../wire.js";

/** IAM keeps at most five versions of a managed policy. */
const MAX_VERSIONS = 5;

function listPolicies(ctx: IamContext, input: { Scope?: string; OnlyAttached?: boolean; PathPrefix?: string }): ManagedPolicyRow[] {
  const scope = input.Scope ?? "All";
  const iam = ctx.store.iam;
  return iam.policies
    .list()
    .filter((p) => scope === "All" || (scope === "AWS") === p.awsManaged)
    .filter((p) => p.path.startsWith(input.PathPrefix ?? "/"))
    .filter((p) => !input.OnlyAttached || iam.policies.attachmentCount(p.arn) > 0);
}

function versionOf(ctx: IamContext, policy: ManagedPolicyRow, versionId: string): { versionId: string; document: string; createdAt: number } {
  const v = ctx.store.iam.policies.version(policy.arn, versionId);
  if (!v) throw noSuchEntity(`Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`);
  return v;
}

export const managedPolicyOperations = {
  CreatePolicy: handler<{ PolicyName: string; Path?: string; PolicyDocument: string; Description?: string; Tags?: Tag[] }, IamDeps>((input, ctx) => {
    parsePolicy(input.PolicyDocument, "identity");
    const path = input.Path ?? "/";
    const policy = ctx.store.tx(() => {
      const iam = ctx.store.iam;
      if (iam.policies.customerPolicyNamed(input.PolicyName)) {
        throw alreadyExists(`A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`);
      }
      const now = ctx.clock.now();
      const row: ManagedPolicyRow = {
        arn: customerPolicyArn(ctx.accountId, path, input.PolicyName),
        id: iamUniqueId(ctx.random, "ANPA"),
        name: input.PolicyName,
        path,
        awsManaged: false,
        ...(input.Description !== undefined ? { description: input.Description } : {}),
        defaultVersion: "v1",
        nextVersion: 2,
        createdAt: now,
        updatedAt: now,
      };
      iam.policies.insert(row, input.PolicyDocument);
      if (input.Tags && input.Tags.length > 0) tagEntity(ctx, row, input.Tags);
      return row;
    });
    return { Policy: policyOf(ctx.store.iam, policy, input.Tags) };
  }),
  GetPolicy: handler<{ PolicyArn: string }, IamDeps>((input, ctx) => {
    const p = managedPolicy(ctx, input.PolicyArn);
    return { Policy: policyOf(ctx.store.iam, p, ctx.store.iam.entities.tags(p.id)) };
  }),
  ListPolicies: handler<{ Scope?: string; OnlyAttached?: boolean; PathPrefix?: string } & PageInput, IamDeps>((input, ctx) =>
    listed("Policies", listPolicies(ctx, input), input, (p) => policyOf(ctx.store.iam, p)),
  ),
  DeletePolicy: handler<{ PolicyArn: string }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => {
      const p = ownPolicy(ctx, input.PolicyArn, "DeletePolicy");
      if (ctx.store.iam.policies.attachmentCount(p.arn) > 0) throw deleteConflict("Cannot delete a policy attached to entities.");
      if (ctx.store.iam.policies.versions(p.arn).length > 1) throw deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
      ctx.store.iam.entities.removeTags(p.id, ctx.store.iam.entities.tags(p.id).map((t) => t.Key));
      ctx.store.iam.policies.delete(p.arn);
    });
    return {};
  }),
  CreatePolicyVersion: handler<{ PolicyArn: string; PolicyDocument: string; SetAsDefault?: boolean }, IamDeps>((input, ctx) => {
    parsePolicy(input.PolicyDocument, "identity");
    return ctx.store.tx(() => {
      const iam = ctx.store.iam;
      const p = ownPolicy(ctx, input.PolicyArn, "CreatePolicyVersion");
      if (iam.policies.versions(p.arn).length >= MAX_VERSIONS) {
        throw new AppRunnerError("IamLimitExceeded", `A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
      }
      const now = ctx.clock.now();
      const version = { versionId: `v${p.nextVersion}`, document: input.PolicyDocument, createdAt: now };
      iam.policies.putVersion(p.arn, version);
      const updated = { ...p, nextVersion: p.nextVersion + 1, updatedAt: now, defaultVersion: input.SetAsDefault ? version.versionId : p.defaultVersion };
      iam.policies.update(updated);
      return { PolicyVersion: policyVersionOf(updated, version, false) };
    });
  }),
  GetPolicyVersion: handler<{ PolicyArn: string; VersionId: string }, IamDeps>((input, ctx) => {
    const p = managedPolicy(ctx, input.PolicyArn);
    return { PolicyVersion: policyVersionOf(p, versionOf(ctx, p, input.VersionId), true) };
  }),
  ListPolicyVersions: handler<{ PolicyArn: string } & PageInput, IamDeps>((input, ctx) => {
    const p = managedPolicy(ctx, input.PolicyArn);
    return listed("Versions", ctx.store.iam.policies.versions(p.arn), input, (v) => policyVersionOf(p, v, false));
  }),
  DeletePolicyVersion: handler<{ PolicyArn: string; VersionId: string }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => {
      const p = ownPolicy(ctx, input.PolicyArn, "DeletePolicyVersion");
      versionOf(ctx, p, input.VersionId);
      if (p.defaultVersion === input.VersionId) throw deleteConflict("Cannot delete the default version of a policy.");
      ctx.store.iam.policies.deleteVersion(p.arn, input.VersionId);
    });
    return {};
  }),
  SetDefaultPolicyVersion: handler<{ PolicyArn: string; VersionId: string }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => {
      const p = ownPolicy(ctx, input.PolicyArn, "SetDefaultPolicyVersion");
      versionOf(ctx, p, input.VersionId);
      ctx.store.iam.policies.update({ ...p, defaultVersion: input.VersionId, updatedAt: ctx.clock.now() });
    });
    return {};
  }),
};
