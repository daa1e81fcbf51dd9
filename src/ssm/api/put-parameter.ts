import type { Tag } from "../../store/tags.js";
import { parameterAlreadyExists, invalidAllowedPattern, patternMismatch, validation } from "../errors.js";
import { versionToDrop } from "../labels.js";
import { canonicalName } from "../names.js";
import { DEFAULT_KEY_ID } from "../parameters.js";
import { callFactsOf, type SsmHandler } from "./env.js";
import { checkTags, MAX_TAGS } from "./tags.js";

interface PutParameterInput {
  Name?: string;
  Value?: string;
  Type?: string;
  KeyId?: string;
  Description?: string;
  AllowedPattern?: string;
  Overwrite?: boolean;
  Tags?: Tag[];
  Tier?: string;
  DataType?: string;
  Policies?: string;
}

/** The Standard tier's largest value; Advanced takes 8 KB. */
const STANDARD_MAX = 4096;
const ADVANCED_MAX = 8192;

/** The tier a value is kept in: Intelligent-Tiering picks Standard when it fits; an Advanced parameter never goes back. */
export function tierOf(asked: string | undefined, previous: string | undefined, valueLength: number): string {
  const wanted = asked === "Intelligent-Tiering" ? (valueLength > STANDARD_MAX || previous === "Advanced" ? "Advanced" : "Standard") : asked ?? previous ?? "Standard";
  if (wanted === "Standard" && previous === "Advanced") {
    throw validation("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.");
  }
  if (wanted === "Standard" && valueLength > STANDARD_MAX) {
    throw validation(
      `Standard tier parameters support a maximum parameter value of ${STANDARD_MAX} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html`,
    );
  }
  if (valueLength > ADVANCED_MAX) throw validation(`Parameter value must not exceed ${ADVANCED_MAX} characters.`);
  return wanted;
}

/** AllowedPattern is a regular expression the whole value must match. */
function checkPattern(pattern: string | undefined, value: string): void {
  if (pattern === undefined || pattern === "") return;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`, "s");
  } catch (err) {
    throw invalidAllowedPattern(err);
  }
  if (!re.test(value)) throw patternMismatch(pattern);
}

const putParameter: SsmHandler = (raw, ctx, env) => {
  const input = raw as PutParameterInput;
  const name = canonicalName(input.Name ?? "", env.parameters.place);
  const value = input.Value ?? "";
  if (input.Tags !== undefined && input.Overwrite === true) {
    throw validation(
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    );
  }
  if (input.Policies !== undefined) throw validation("Parameter policies are not supported by OpenRunner's Parameter Store.");
  const dataType = input.DataType ?? "text";
  if (dataType !== "text") throw validation(`The following data type is not supported: ${dataType}. OpenRunner supports the data type text.`);
  const tags = checkTags(input.Tags ?? []);
  if (tags.length > MAX_TAGS) throw validation(`A resource can have at most ${MAX_TAGS} tags.`);
  const repo = ctx.store.parameters;
  const arn = env.parameters.arn(name);
  const facts = callFactsOf(ctx);
  // All of it synchronous (the store and KMS are): nothing else runs between this read and the write below.
  const previous = repo.latest(name);
  if (previous && input.Overwrite !== true) throw parameterAlreadyExists();
  const type = input.Type ?? previous?.type;
  if (type === undefined) throw validation("A parameter type is required when you create a parameter.");
  if (input.KeyId !== undefined && type !== "SecureString") throw validation(`KeyId is not supported for the ${type} parameter type. KeyId applies only to SecureString parameters.`);
  const keyId = type === "SecureString" ? input.KeyId ?? (previous?.type === "SecureString" ? previous.keyId : undefined) ?? DEFAULT_KEY_ID : undefined;
  const description = input.Description ?? previous?.description;
  const allowedPattern = input.AllowedPattern ?? previous?.allowedPattern;
  checkPattern(allowedPattern, value);
  const tier = tierOf(input.Tier, previous?.tier, Buffer.byteLength(value, "utf8"));
  const version = (previous?.version ?? 0) + 1;
  const stored = env.parameters.seal(name, version, type, value, keyId, ctx.principal, facts);
  ctx.store.tx(() => {
    const labelled = new Set(repo.labels(name).values());
    const drop = versionToDrop(name, repo.versionNumbers(name), labelled);
    repo.putVersion(
      { name, version, type, keyId, description, allowedPattern, tier, dataType, value: stored, modifiedAt: ctx.clock.now(), modifiedUser: ctx.principal.arn },
      drop,
    );
    if (!previous && tags.length > 0) ctx.store.tags.put(arn, tags);
  });
  return { Version: version, Tier: tier };
};

export const putOperations: Record<string, SsmHandler> = { PutParameter: putParameter };
