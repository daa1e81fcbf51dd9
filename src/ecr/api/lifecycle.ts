import { invalidParameterAt, lifecyclePolicyNotFound } from "../errors.js";
import { parseLifecyclePolicy } from "../lifecycle/policy.js";
import { requireRepository, type EcrHandler } from "./env.js";
import { repositoryNameIn, required } from "./input.js";

interface PolicyInput {
  registryId?: string;
  repositoryName?: string;
  lifecyclePolicyText?: string;
}

/** The model's bounds of the policy text, checked before its contents. */
export function checkPolicyLength(text: string): string {
  if (text.length < 100) throw invalidParameterAt("lifecyclePolicyText", "Member must have length greater than or equal to 100");
  if (text.length > 30720) throw invalidParameterAt("lifecyclePolicyText", "Member must have length less than or equal to 30720");
  return text;
}

const putLifecyclePolicy: EcrHandler = (raw, ctx, env) => {
  const input = raw as PolicyInput;
  const name = repositoryNameIn(input, ctx);
  const text = checkPolicyLength(required(input.lifecyclePolicyText, "lifecyclePolicyText"));
  requireRepository(env, ctx, name);
  parseLifecyclePolicy(text);
  env.repositories.setLifecyclePolicy(name, text);
  env.lifecyclePolicyChanged();
  return { registryId: ctx.config.accountId, repositoryName: name, lifecyclePolicyText: text };
};

/** Get and Delete answer the same: the policy and when it was last applied. */
function policyAnswer(delete_: boolean): EcrHandler {
  return (raw, ctx, env) => {
    const input = raw as PolicyInput;
    const name = repositoryNameIn(input, ctx);
    const repo = requireRepository(env, ctx, name);
    if (repo.lifecyclePolicy === undefined) throw lifecyclePolicyNotFound(name, ctx.config.accountId);
    if (delete_) env.repositories.setLifecyclePolicy(name, undefined);
    return {
      registryId: ctx.config.accountId,
      repositoryName: name,
      lifecyclePolicyText: repo.lifecyclePolicy,
      ...(repo.lifecycleEvaluatedAt !== undefined ? { lastEvaluatedAt: repo.lifecycleEvaluatedAt / 1000 } : {}),
    };
  };
}

export const lifecycleOperations: Record<string, EcrHandler> = {
  PutLifecyclePolicy: putLifecyclePolicy,
  GetLifecyclePolicy: policyAnswer(false),
  DeleteLifecyclePolicy: policyAnswer(true),
};
