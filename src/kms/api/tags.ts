import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { Tag } from "../../store/tags.js";
import type { KmsHandler } from "./env.js";
import { keyIdOf, required } from "./input.js";

const MAX_TAGS = 50;

const tagError = (message: string): AppRunnerError => new AppRunnerError("KmsTag", message);

/** KMS's tags (TagKey/TagValue) as the store keeps every resource's (Key/Value), checked as KMS checks them. */
export function kmsTags(tags: readonly { TagKey?: string; TagValue?: string }[]): Tag[] {
  return tags.map((t, i) => {
    const key = required(t.TagKey, `tags.${i + 1}.member.tagKey`);
    const value = required(t.TagValue, `tags.${i + 1}.member.tagValue`);
    if (key.length < 1 || key.length > 128) throw tagError(`Tag key '${key}' must be 1 to 128 characters.`);
    if (value.length > 256) throw tagError(`Tag value for key '${key}' must be at most 256 characters.`);
    if (key.toLowerCase().startsWith("aws:")) throw tagError("Tags beginning with aws: are reserved.");
    return { Key: key, Value: value };
  });
}

const tagResource: KmsHandler = (raw, _ctx, env) => {
  const input = raw as { KeyId?: string; Tags?: { TagKey?: string; TagValue?: string }[] };
  const key = env.keys.record(keyIdOf(input.KeyId));
  const tags = kmsTags(required(input.Tags, "tags"));
  const keys = new Set([...env.tags.list(key.arn).map((t) => t.Key), ...tags.map((t) => t.Key)]);
  if (keys.size > MAX_TAGS) throw new AppRunnerError("KmsLimitExceeded", `A key can have at most ${MAX_TAGS} tags.`);
  env.tags.put(key.arn, tags);
  return {};
};

const untagResource: KmsHandler = (raw, _ctx, env) => {
  const input = raw as { KeyId?: string; TagKeys?: string[] };
  env.tags.remove(env.keys.record(keyIdOf(input.KeyId)).arn, required(input.TagKeys, "tagKeys"));
  return {};
};

const listResourceTags: KmsHandler = (raw, _ctx, env) => {
  const key = env.keys.record(keyIdOf((raw as { KeyId?: string }).KeyId));
  return { Tags: env.tags.list(key.arn).map((t) => ({ TagKey: t.Key, TagValue: t.Value })), Truncated: false };
};

export const tagOperations: Record<string, KmsHandler> = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListResourceTags: listResourceTags,
};
