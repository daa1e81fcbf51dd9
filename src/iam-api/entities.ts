import { AppRunnerError } from "../errors/app-runner-error.js";
import type { EntityKind, EntityRow, Tag } from "../store/iam/entities.js";
import { iamUniqueId, type IamIdPrefix } from "../store/iam/ids.js";
import type { IamContext, IamDeps } from "./context.js";
import { alreadyExists } from "./lookups.js";
import { entityArn } from "./names.js";
import { page, type PageInput } from "./paging.js";

const PREFIX: Record<EntityKind, IamIdPrefix> = { user: "AIDA", group: "AGPA", role: "AROA", "instance-profile": "AIPA" };

const EXISTS: Record<EntityKind, (name: string) => string> = {
  user: (n) => `User with name ${n} already exists.`,
  group: (n) => `Group with name ${n} already exists.`,
  role: (n) => `Role with name ${n} already exists.`,
  "instance-profile": (n) => `Instance Profile ${n} already exists.`,
};

/** IAM's quota of tags on one user or role. */
const MAX_TAGS = 50;

/** A new user, group, role or instance profile with IAM's id and ARN; EntityAlreadyExists for a name taken in any case. */
export function createEntity(ctx: IamDeps, kind: EntityKind, name: string, path: string | undefined, doc: Record<string, unknown>, tags?: Tag[]): EntityRow {
  const iam = ctx.store.iam;
  if (iam.entities.byName(kind, name)) throw alreadyExists(EXISTS[kind](name));
  const p = path ?? "/";
  const row: EntityRow = { id: iamUniqueId(ctx.random, PREFIX[kind]), kind, name, path: p, arn: entityArn(ctx.accountId, kind, p, name), createdAt: ctx.clock.now(), doc };
  iam.entities.insert(row);
  if (tags && tags.length > 0) tagEntity(ctx, row, tags);
  return row;
}

export function tagEntity(ctx: IamDeps, row: { id: string }, tags: readonly Tag[]): void {
  const keys = new Set(ctx.store.iam.entities.tags(row.id).map((t) => t.Key));
  for (const t of tags) keys.add(t.Key);
  if (keys.size > MAX_TAGS) throw new AppRunnerError("IamLimitExceeded", `The number of tags has reached the maximum limit of ${MAX_TAGS}.`);
  if (new Set(tags.map((t) => t.Key)).size !== tags.length) throw new AppRunnerError("IamInvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
  ctx.store.iam.entities.putTags(row.id, tags);
}

export function listTags(ctx: IamContext, row: { id: string }, input: PageInput): Record<string, unknown> {
  const p = page(ctx.store.iam.entities.tags(row.id), input);
  return { Tags: p.items, IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
}

/** A listing in IAM's shape: `member` is the list's name (Users, Roles, ...). */
export function listed<T>(member: string, items: readonly T[], input: PageInput, shape: (item: T) => unknown): Record<string, unknown> {
  const p = page(items, input);
  return { [member]: p.items.map(shape), IsTruncated: p.IsTruncated, ...(p.Marker ? { Marker: p.Marker } : {}) };
}

/** IAM refuses what OpenRunner does not implement rather than ignoring it. */
export function refusePermissionsBoundary(input: { PermissionsBoundary?: string }): void {
  if (input.PermissionsBoundary !== undefined) throw new AppRunnerError("IamInvalidInput", "Permissions boundaries are not supported by OpenRunner.");
}
