import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { KmsHandler } from "./env.js";
import { keyIdOf, required, text } from "./input.js";

/** A key has one policy, named "default". */
const POLICY_NAME = "default";

function policyName(value: string | undefined): string {
  const name = value ?? POLICY_NAME;
  if (name !== POLICY_NAME) throw new AppRunnerError("KmsNotFound", "No such policy exists");
  return name;
}

const getKeyPolicy: KmsHandler = (raw, _ctx, env) => {
  const input = raw as { KeyId?: string; PolicyName?: string };
  const name = policyName(input.PolicyName);
  return { Policy: env.keys.keyPolicy(keyIdOf(input.KeyId)), PolicyName: name };
};

const putKeyPolicy: KmsHandler = (raw, _ctx, env) => {
  const input = raw as { KeyId?: string; PolicyName?: string; Policy?: string };
  policyName(input.PolicyName);
  env.keys.putKeyPolicy(keyIdOf(input.KeyId), required(text(input.Policy, "policy", 32768), "policy"));
  return {};
};

const listKeyPolicies: KmsHandler = (raw, _ctx, env) => {
  env.keys.record(keyIdOf((raw as { KeyId?: string }).KeyId));
  return { PolicyNames: [POLICY_NAME], Truncated: false };
};

export const policyOperations: Record<string, KmsHandler> = {
  GetKeyPolicy: getKeyPolicy,
  PutKeyPolicy: putKeyPolicy,
  ListKeyPolicies: listKeyPolicies,
};
