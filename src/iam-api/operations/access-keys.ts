import { AppRunnerError } from "../../errors/app-runner-error.js";
import { handler } from "../../protocol/context.js";
import type { AccessKeyInfo, AccessKeyStatus } from "../../store/access-keys.js";
import { newAccessKey } from "../../store/root-credentials.js";
import { epochSeconds, type IamContext, type IamDeps } from "../context.js";
import { listed } from "../entities.js";
import { noSuchEntity, targetUser } from "../lookups.js";
import type { PageInput } from "../paging.js";
import { userPrincipal } from "./users.js";

/** IAM's quota: two access keys per user, so one can be rotated while the other works. */
const MAX_KEYS_PER_USER = 2;

/** Whose keys a call is about: the user named, the caller's own, or (root, no name) the root key's. */
function keyOwner(ctx: IamContext, userName: string | undefined): { ownerId: string; userName?: string } {
  if (userName === undefined && ctx.principal.type === "Root") return { ownerId: "" };
  const user = targetUser(ctx, userName);
  return { ownerId: user.id, userName: user.name };
}

const keyNotFound = (id: string): AppRunnerError => noSuchEntity(`The Access Key with id ${id} cannot be found.`);

const ROOT_KEY_IS_NOT_IAMS = "The root access key is managed by `openrunner up`, not through IAM.";

/** A key of that owner that a user may change: the root key is `openrunner up`'s to manage. */
function ownedKey(ctx: IamContext, userName: string | undefined, accessKeyId: string): AccessKeyInfo {
  const owner = keyOwner(ctx, userName);
  const key = ctx.store.accessKeys.info(accessKeyId);
  if (!key || key.ownerId !== owner.ownerId) throw keyNotFound(accessKeyId);
  if (owner.ownerId === "") throw new AppRunnerError("IamInvalidInput", ROOT_KEY_IS_NOT_IAMS);
  return key;
}

const metadataOf = (k: AccessKeyInfo, userName: string | undefined): Record<string, unknown> => ({
  ...(userName !== undefined ? { UserName: userName } : {}),
  AccessKeyId: k.accessKeyId,
  Status: k.status,
  CreateDate: epochSeconds(k.createdAt),
});

export const accessKeyOperations = {
  CreateAccessKey: handler<{ UserName?: string }, IamDeps>((input, ctx) =>
    ctx.store.tx(() => {
      if (input.UserName === undefined && ctx.principal.type === "Root") throw new AppRunnerError("IamInvalidInput", ROOT_KEY_IS_NOT_IAMS);
      const user = targetUser(ctx, input.UserName);
      if (ctx.store.accessKeys.ownedBy(user.id).length >= MAX_KEYS_PER_USER) {
        throw new AppRunnerError("IamLimitExceeded", `Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS_PER_USER}`);
      }
      const key = newAccessKey(ctx.random);
      const createdAt = ctx.clock.now();
      ctx.store.accessKeys.insert({ ...key, principal: userPrincipal(ctx.accountId, user, key.accessKeyId), createdAt, ownerId: user.id, status: "Active" });
      // The one time the secret is shown: it is stored sealed and never returned again.
      return { AccessKey: { UserName: user.name, AccessKeyId: key.accessKeyId, Status: "Active", SecretAccessKey: key.secretAccessKey, CreateDate: epochSeconds(createdAt) } };
    }),
  ),
  ListAccessKeys: handler<{ UserName?: string } & PageInput, IamDeps>((input, ctx) => {
    const owner = keyOwner(ctx, input.UserName);
    return listed("AccessKeyMetadata", ctx.store.accessKeys.ownedBy(owner.ownerId), input, (k) => metadataOf(k, owner.userName));
  }),
  UpdateAccessKey: handler<{ UserName?: string; AccessKeyId: string; Status: AccessKeyStatus }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => ctx.store.accessKeys.setStatus(ownedKey(ctx, input.UserName, input.AccessKeyId).accessKeyId, input.Status));
    return {};
  }),
  DeleteAccessKey: handler<{ UserName?: string; AccessKeyId: string }, IamDeps>((input, ctx) => {
    ctx.store.tx(() => ctx.store.accessKeys.delete(ownedKey(ctx, input.UserName, input.AccessKeyId).accessKeyId));
    return {};
  }),
  GetAccessKeyLastUsed: handler<{ AccessKeyId: string }, IamDeps>((input, ctx) => {
    const key = ctx.store.accessKeys.info(input.AccessKeyId);
    if (!key) throw keyNotFound(input.AccessKeyId);
    const user = key.ownerId === "" ? undefined : ctx.store.iam.entities.byId(key.ownerId);
    const used = key.lastUsed;
    return {
      ...(user ? { UserName: user.name } : {}),
      AccessKeyLastUsed: used ? { LastUsedDate: epochSeconds(used.at), ServiceName: used.service, Region: used.region } : { ServiceName: "N/A", Region: "N/A" },
    };
  }),
};
