import type { RequestContext } from "../../domain/api-context.js";
import type { Tag } from "../../store/tags.js";
import { invalidResourceId, invalidResourceType, tooManyTags, validation } from "../errors.js";
import { parameterNameOf } from "../names.js";
import type { SsmEnv, SsmHandler } from "./env.js";

/** SSM's limit of tags on one resource. */
export const MAX_TAGS = 50;

/** Tags as PutParameter and AddTagsToResource take them (lengths and characters were checked against the model). */
export function checkTags(tags: readonly Partial<Tag>[]): Tag[] {
  const out = new Map<string, string>();
  for (const t of tags) {
    if (t.Key === undefined || t.Value === undefined) throw validation("A tag must have a Key and a Value.");
    if (t.Key.toLowerCase().startsWith("aws:")) throw validation("Tag keys may not begin with the reserved prefix 'aws:'.");
    out.set(t.Key, t.Value);
  }
  return [...out].map(([Key, Value]) => ({ Key, Value }));
}

/** The parameter a tagging call names (ResourceType Parameter, ResourceId its name or ARN), as its ARN. */
function parameterOf(input: { ResourceType?: string; ResourceId?: string }, ctx: RequestContext, env: SsmEnv): string {
  if (input.ResourceType !== "Parameter") throw invalidResourceType();
  let name: string;
  try {
    name = parameterNameOf(input.ResourceId ?? "", env.parameters.place);
  } catch {
    throw invalidResourceId();
  }
  if (!ctx.store.parameters.latest(name)) throw invalidResourceId();
  return env.parameters.arn(name);
}

const addTagsToResource: SsmHandler = (raw, ctx, env) => {
  const input = raw as { ResourceType?: string; ResourceId?: string; Tags?: Tag[] };
  const arn = parameterOf(input, ctx, env);
  const tags = checkTags(input.Tags ?? []);
  ctx.store.tx(() => {
    const keys = new Set([...ctx.store.tags.list(arn).map((t) => t.Key), ...tags.map((t) => t.Key)]);
    if (keys.size > MAX_TAGS) throw tooManyTags();
    ctx.store.tags.put(arn, tags);
  });
  return {};
};

const removeTagsFromResource: SsmHandler = (raw, ctx, env) => {
  const input = raw as { ResourceType?: string; ResourceId?: string; TagKeys?: string[] };
  ctx.store.tags.remove(parameterOf(input, ctx, env), input.TagKeys ?? []);
  return {};
};

const listTagsForResource: SsmHandler = (raw, ctx, env) => {
  const input = raw as { ResourceType?: string; ResourceId?: string };
  return { TagList: ctx.store.tags.list(parameterOf(input, ctx, env)) };
};

export const tagOperations: Record<string, SsmHandler> = {
  AddTagsToResource: addTagsToResource,
  RemoveTagsFromResource: removeTagsFromResource,
  ListTagsForResource: listTagsForResource,
};
