import type { ParameterValueReader } from "../domain/runtime-secrets.js";
import type { Authorizer } from "../iam/authorization.js";
import { parseReference } from "./names.js";
import type { Parameters } from "./parameters.js";

/**
 * How a deployment reads a parameter with the service's instance role, as App Runner does:
 * ssm:GetParameters on the parameter's ARN (and kms:Decrypt on a customer managed key), then the
 * value in clear. Throws ParameterNotFound naming the parameter, AccessDenied in IAM's or KMS's
 * words, or KMS's refusal of the key (disabled, pending deletion).
 */
export function parameterReader(parameters: Parameters, authorizer: Authorizer): ParameterValueReader {
  return {
    parameterValue(principal, ref, call) {
      const reference = parseReference(ref.name, parameters.place);
      authorizer.authorize(principal, [{ action: "ssm:GetParameters", resource: parameters.arn(reference.name) }], call);
      return parameters.plaintext(parameters.resolve(reference), principal, call);
    },
  };
}
