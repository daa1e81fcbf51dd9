import type { RequestContext } from "../../domain/api-context.js";
import type { Tag } from "../../store/tags.js";
import { invalidParameterAt, invalidTagParameter, repositoryNotFound, tooManyTags } from "../errors.js";
import { parseRepositoryArn, repositoryArn } from "../names.js";
import { requireRepository, type EcrEnv, type EcrHandler } from "./env.js";
import { required } from "./input.js";

/** ECR's (and every tagging API's) limit of tags on one resource. */
export const MAX_TAGS = 50;
const KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Tags as CreateRepository and TagResource take them, checked as ECR checks them. */
export function checkTags(tags: readonly Partial<Tag>[]): Tag[] {
  const out: Tag[] = [];
  for (const t of tags) {
    if (t.Key === undefined || t.Key === null) throw invalidTagParameter("Tag key must not be null");
    if (t.Value === undefined || t.Value === null) throw invalidTagParameter("Tag value must not be null");
    if (t.Key.length < 1 || t.Key.length > 128) throw invalidTagParameter("Tag keys must be between 1 and 128 characters in length");
    if (t.Value.length > 256) throw invalidTagParameter("Tag values must be 256 characters or less in length");
    if (!KEY.test(t.Key) || !KEY.test(t.Value)) {
      throw invalidTagParameter("Tag keys and values may only contain Unicode letters, digits, white space, and the characters _ . : / = + - @");
    }
    if (t.Key.toLowerCase().startsWith("aws:")) throw invalidTagParameter("Tag keys may not begin with the reserved prefix 'aws:'");
    out.push({ Key: t.Key, Value: t.Value });
  }
  if (new Set(out.map((t) => t.Key)).size !== out.length) throw invalidTagParameter("Tag keys must be unique");
  return out;
}

export function checkTagCount(existing: readonly Tag[], added: readonly Tag[]): void {
  const keys = new Set([...existing.map((t) => t.Key), ...added.map((t) => t.Key)]);
  if (keys.size > MAX_TAGS) throw tooManyTags(`Maximum number of tags (${MAX_TAGS}) exceeded for the resource`);
}

/** The repository an ARN names, in this account and region; not found otherwise. */
function repositoryOfArn(env: EcrEnv, ctx: RequestContext, arn: string | undefined): string {
  const given = required(arn, "resourceArn");
  const parsed = parseRepositoryArn(given);
  if (!parsed) throw invalidParameterAt("resourceArn", `Invalid ARN: ${given}`);
  if (parsed.accountId !== ctx.config.accountId || parsed.region !== ctx.config.region) throw repositoryNotFound(parsed.name, parsed.accountId);
  return requireRepository(env, ctx, parsed.name).name;
}

interface TagResourceInput {
  resourceArn?: string;
  tags?: Partial<Tag>[];
}

const tagResource: EcrHandler = (raw, ctx, env) => {
  const input = raw as TagResourceInput;
  const name = repositoryOfArn(env, ctx, input.resourceArn);
  const tags = checkTags(required(input.tags, "tags"));
  const arn = repositoryArn(ctx.config, name);
  ctx.store.tx(() => {
    checkTagCount(ctx.store.tags.list(arn), tags);
    ctx.store.tags.put(arn, tags);
  });
  return {};
};

const untagResource: EcrHandler = (raw, ctx, env) => {
  const input = raw as { resourceArn?: string; tagKeys?: string[] };
  const name = repositoryOfArn(env, ctx, input.resourceArn);
  const keys = required(input.tagKeys, "tagKeys");
  ctx.store.tags.remove(repositoryArn(ctx.config, name), keys);
  return {};
};

const listTagsForResource: EcrHandler = (raw, ctx, env) => {
  const input = raw as { resourceArn?: string };
  const name = repositoryOfArn(env, ctx, input.resourceArn);
  return { tags: ctx.store.tags.list(repositoryArn(ctx.config, name)) };
};

export const tagOperations: Record<string, EcrHandler> = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};
