import type { Tag, EntityRow } from "../store/iam/entities.js";
import type { IamStore } from "../store/iam/iam-store.js";
import type { ManagedPolicyRow } from "../store/iam/policies.js";
import { roleDocOf } from "../store/iam/role-directory.js";
import { epochSeconds } from "./context.js";
import { encodedDocument } from "./names.js";

/** IAM's shapes (JSON form) of what the store holds. Tags only where IAM returns them (Get*, not List*). */

const withTags = (tags: Tag[] | undefined): { Tags?: Tag[] } => (tags && tags.length > 0 ? { Tags: tags } : {});

export function userOf(row: EntityRow, tags?: Tag[]): Record<string, unknown> {
  return { Path: row.path, UserName: row.name, UserId: row.id, Arn: row.arn, CreateDate: epochSeconds(row.createdAt), ...withTags(tags) };
}

export function groupOf(row: EntityRow): Record<string, unknown> {
  return { Path: row.path, GroupName: row.name, GroupId: row.id, Arn: row.arn, CreateDate: epochSeconds(row.createdAt) };
}

export function roleOf(row: EntityRow, tags?: Tag[]): Record<string, unknown> {
  const doc = roleDocOf(row);
  return {
    Path: row.path,
    RoleName: row.name,
    RoleId: row.id,
    Arn: row.arn,
    CreateDate: epochSeconds(row.createdAt),
    AssumeRolePolicyDocument: encodedDocument(doc.trustPolicy),
    ...(doc.description !== undefined ? { Description: doc.description } : {}),
    MaxSessionDuration: doc.maxSessionDuration,
    ...withTags(tags),
    RoleLastUsed: {},
  };
}

export function instanceProfileOf(iam: IamStore, row: EntityRow): Record<string, unknown> {
  const roles = iam.entities.byIds(iam.links.targetsOf("profile-role", row.id)).map((r) => roleOf(r));
  return { Path: row.path, InstanceProfileName: row.name, InstanceProfileId: row.id, Arn: row.arn, CreateDate: epochSeconds(row.createdAt), Roles: roles };
}

export function policyOf(iam: IamStore, p: ManagedPolicyRow, tags?: Tag[]): Record<string, unknown> {
  return {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersion,
    AttachmentCount: iam.policies.attachmentCount(p.arn),
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    ...(p.description !== undefined ? { Description: p.description } : {}),
    CreateDate: epochSeconds(p.createdAt),
    UpdateDate: epochSeconds(p.updatedAt),
    ...withTags(tags),
  };
}

export function policyVersionOf(p: ManagedPolicyRow, v: { versionId: string; document: string; createdAt: number }, withDocument: boolean): Record<string, unknown> {
  return {
    ...(withDocument ? { Document: encodedDocument(v.document) } : {}),
    VersionId: v.versionId,
    IsDefaultVersion: v.versionId === p.defaultVersion,
    CreateDate: epochSeconds(v.createdAt),
  };
}
