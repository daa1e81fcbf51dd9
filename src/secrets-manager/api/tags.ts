import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { Tag } from "../../store/tags.js";
import { requireLiveSecret } from "../lookup.js";
import { hereOf, type SecretsHandler } from "./env.js";

/** Secrets Manager's limit of tags on a secret. */
export const MAX_TAGS = 50;

/** Tags as CreateSecret and TagResource take them (the model checked their lengths). */
export function checkTags(tags: readonly Partial<Tag>[]): Tag[] {
  const out: Tag[] = [];
  for (const t of tags) {
    if (t.Key === undefined || t.Value === undefined) throw new AppRunnerError("InvalidParameter", "Each tag needs a Key and a Value.");
    if (t.Key.toLowerCase().startsWith("aws:")) throw new AppRunnerError("InvalidParameter", "Invalid tag key: keys starting with aws: are reserved for AWS.");
    out.push({ Key: t.Key, Value: t.Value });
  }
  if (new Set(out.map((t) => t.Key)).size !== out.length) throw new AppRunnerError("InvalidParameter", "Duplicate tag keys are not allowed.");
  if (out.length > MAX_TAGS) throw new AppRunnerError("InvalidParameter", `A secret can have at most ${MAX_TAGS} tags.`);
  return out;
}

const tagResource: SecretsHandler = (raw, ctx, env) => {
  const input = raw as { SecretId?: string; Tags?: Partial<Tag>[] };
  const tags = checkTags(input.Tags ?? []);
  ctx.store.tx(() => {
    const secret = requireLiveSecret(env.secrets, hereOf(ctx), input.SecretId, ctx.clock.now());
    const keys = new Set([...ctx.store.tags.list(secret.arn).map((t) => t.Key), ...tags.map((t) => t.Key)]);
    if (keys.size > MAX_TAGS) throw new AppRunnerError("InvalidParameter", `A secret can have at most ${MAX_TAGS} tags.`);
    ctx.store.tags.put(secret.arn, tags);
  });
  return {};
};

const untagResource: SecretsHandler = (raw, ctx, env) => {
  const input = raw as { SecretId?: string; TagKeys?: string[] };
  ctx.store.tx(() => {
    const secret = requireLiveSecret(env.secrets, hereOf(ctx), input.SecretId, ctx.clock.now());
    ctx.store.tags.remove(secret.arn, input.TagKeys ?? []);
  });
  return {};
};

export const tagOperations: Record<string, SecretsHandler> = {
  TagResource: tagResource,
  UntagResource: untagResource,
};
