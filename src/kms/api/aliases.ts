import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { KmsHandler } from "./env.js";
import { keyIdOf, limitOf, page, required, seconds, validation } from "./input.js";

const ALIAS = /^alias\/[a-zA-Z0-9/_-]+$/;

/** An alias name KMS takes for CreateAlias and UpdateAlias: `alias/<name>`, not in the reserved `alias/aws/` space. */
export function aliasNameOf(value: string | undefined): string {
  const name = required(value, "aliasName");
  if (name.length > 256) throw validation("aliasName", "have length less than or equal to 256", name);
  if (!ALIAS.test(name)) throw validation("aliasName", "satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$", name);
  if (name.startsWith("alias/aws/")) throw new AppRunnerError("KmsInvalidAliasName", "Alias must not begin with 'alias/aws/'. This prefix is reserved for AWS managed keys.");
  return name;
}

const createAlias: KmsHandler = (raw, _ctx, env) => {
  const input = raw as { AliasName?: string; TargetKeyId?: string };
  env.keys.createAlias(aliasNameOf(input.AliasName), keyIdOf(input.TargetKeyId, "targetKeyId"));
  return {};
};

const updateAlias: KmsHandler = (raw, _ctx, env) => {
  const input = raw as { AliasName?: string; TargetKeyId?: string };
  env.keys.updateAlias(aliasNameOf(input.AliasName), keyIdOf(input.TargetKeyId, "targetKeyId"));
  return {};
};

const deleteAlias: KmsHandler = (raw, _ctx, env) => {
  env.keys.deleteAlias(aliasNameOf((raw as { AliasName?: string }).AliasName));
  return {};
};

const listAliases: KmsHandler = (raw, _ctx, env) => {
  const input = raw as { KeyId?: string; Limit?: number; Marker?: string };
  const all = env.keys.aliases(input.KeyId === undefined ? undefined : keyIdOf(input.KeyId));
  const { items, next } = page(all, (a) => a.name, limitOf(input.Limit), input.Marker);
  return {
    Aliases: items.map((a) => ({ AliasName: a.name, AliasArn: a.arn, TargetKeyId: a.targetKeyId, CreationDate: seconds(a.createdAt), LastUpdatedDate: seconds(a.updatedAt) })),
    Truncated: next !== undefined,
    ...(next !== undefined ? { NextMarker: next } : {}),
  };
};

export const aliasOperations: Record<string, KmsHandler> = {
  CreateAlias: createAlias,
  UpdateAlias: updateAlias,
  DeleteAlias: deleteAlias,
  ListAliases: listAliases,
};
