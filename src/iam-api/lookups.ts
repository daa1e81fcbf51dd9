import { AppRunnerError } from "../errors/app-runner-error.js";
import type { EntityKind, EntityRow } from "../store/iam/entities.js";
import type { ManagedPolicyRow } from "../store/iam/policies.js";
import type { IamContext } from "./context.js";

/** NoSuchEntity in IAM's words. */
export const noSuchEntity = (message: string): AppRunnerError => new AppRunnerError("NoSuchEntity", message);

const NOT_FOUND: Record<EntityKind, (name: string) => string> = {
  user: (n) => `The user with name ${n} cannot be found.`,
  group: (n) => `The group with name ${n} cannot be found.`,
  role: (n) => `The role with name ${n} cannot be found.`,
  "instance-profile": (n) => `Instance Profile ${n} cannot be found.`,
};

export function entityNamed(ctx: IamContext, kind: EntityKind, name: string): EntityRow {
  const row = ctx.store.iam.entities.byName(kind, name);
  if (!row) throw noSuchEntity(NOT_FOUND[kind](name));
  return row;
}

/**
 * The user a call is about: the one named, or the caller's own when no name is given (IAM's
 * default for GetUser, access keys, ...). A role session must name one.
 */
export function targetUser(ctx: IamContext, userName: string | undefined): EntityRow {
  if (userName !== undefined) return entityNamed(ctx, "user", userName);
  const p = ctx.principal;
  if (p.type === "IAMUser") {
    const own = (p.userId !== undefined ? ctx.store.iam.entities.byId(p.userId) : undefined) ?? (p.userName !== undefined ? ctx.store.iam.entities.byName("user", p.userName) : undefined);
    if (own) return own;
    throw noSuchEntity(NOT_FOUND.user(p.userName ?? p.arn));
  }
  throw new AppRunnerError("IamValidation", "Must specify userName when calling with non-User credentials");
}

export function managedPolicy(ctx: IamContext, arn: string): ManagedPolicyRow {
  const p = ctx.store.iam.policies.get(arn);
  if (!p) throw noSuchEntity(`Policy ${arn} was not found.`);
  return p;
}

/** AWS managed policies are AWS's: nobody in the account may change or delete them (AWS answers AccessDenied, root included). */
export function ownPolicy(ctx: IamContext, arn: string, action: string): ManagedPolicyRow {
  const p = managedPolicy(ctx, arn);
  if (p.awsManaged) throw new AppRunnerError("AccessDenied", `User: ${ctx.principal.arn} is not authorized to perform: iam:${action} on resource: policy ${arn}`);
  return p;
}

export function alreadyExists(message: string): AppRunnerError {
  return new AppRunnerError("EntityAlreadyExists", message);
}

export function deleteConflict(message: string): AppRunnerError {
  return new AppRunnerError("DeleteConflict", message);
}
