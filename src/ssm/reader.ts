import { appRunnerReadRecord, type ParameterValueReader } from "../domain/runtime-secrets.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { Authorizer } from "../iam/authorization.js";
import type { ApiCallRecord } from "../protocol/service-registry.js";
import type { Clock } from "../util/clock.js";
import { uuid, type Random } from "../util/random.js";
import { parseReference } from "./names.js";
import type { Parameters } from "./parameters.js";

export interface ParameterReaderDeps {
  parameters: Parameters;
  authorizer: Authorizer;
  clock: Clock;
  random: Random;
  /** Each read, allowed or refused, as App Runner's own GetParameters by the role (never the value). */
  record?: (call: Omit<ApiCallRecord, "api">) => void;
}

/**
 * How a deployment reads a parameter with the service's instance role, as App Runner does:
 * ssm:GetParameters on the parameter's ARN (and kms:Decrypt on a customer managed key), then the
 * value in clear. Throws ParameterNotFound naming the parameter, AccessDenied in IAM's or KMS's
 * words, or KMS's refusal of the key (disabled, pending deletion).
 */
export function parameterReader(deps: ParameterReaderDeps): ParameterValueReader {
  const { parameters, authorizer } = deps;
  return {
    parameterValue(principal, ref, call) {
      let failure: AppRunnerError | undefined;
      try {
        const reference = parseReference(ref.name, parameters.place);
        authorizer.authorize(principal, [{ action: "ssm:GetParameters", resource: parameters.arn(reference.name) }], call);
        return parameters.plaintext(parameters.resolve(reference), principal, call);
      } catch (err) {
        if (err instanceof AppRunnerError) failure = err;
        throw err;
      } finally {
        deps.record?.(
          appRunnerReadRecord({ operation: "GetParameters", requestId: uuid(deps.random), time: deps.clock.now(), principal, input: { Names: [ref.name], WithDecryption: true }, failure }),
        );
      }
    },
  };
}
