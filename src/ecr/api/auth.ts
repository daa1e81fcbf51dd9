import type { EcrHandler } from "./env.js";
import { checkRegistryId } from "./input.js";
import { invalidParameterAt } from "../errors.js";

/**
 * A registry password for the caller, as ECR's `AWS:<password>` token (what `aws ecr
 * get-login-password` prints the password part of). One entry per registry id asked for, all
 * this account's registry, which is the only one here.
 */
const getAuthorizationToken: EcrHandler = (raw, ctx, env) => {
  const input = raw as { registryIds?: string[] };
  const ids = input.registryIds ?? [ctx.config.accountId];
  if (ids.length < 1 || ids.length > 10) throw invalidParameterAt("registryIds", "Member must have length between 1 and 10");
  ids.forEach((id, n) => checkRegistryId(id, `registryIds.${n + 1}.member`));
  const issued = env.passwords.issue({ accountId: ctx.principal.accountId, accessKeyId: ctx.principal.accessKeyId }, new Date(ctx.clock.now()));
  const token = Buffer.from(`AWS:${issued.password}`).toString("base64");
  return {
    authorizationData: ids.map(() => ({
      authorizationToken: token,
      expiresAt: issued.expiresAt.getTime() / 1000,
      proxyEndpoint: `http://${env.registry.address}`,
    })),
  };
};

export const authOperations: Record<string, EcrHandler> = { GetAuthorizationToken: getAuthorizationToken };
