import { appRunnerReadRecord, type SecretValueReader } from "../domain/runtime-secrets.js";
import { AppRunnerError } from "../errors/app-runner-error.js";
import type { Authorizer } from "../iam/authorization.js";
import type { KeyService } from "../keys/key-service.js";
import type { SecretStore } from "../store/secrets/secret-store.js";
import type { ApiCallRecord } from "../protocol/service-registry.js";
import type { Clock } from "../util/clock.js";
import { uuid, type Random } from "../util/random.js";
import { resourceOf } from "./authorization.js";
import { isScheduledForDeletion } from "./deletion.js";
import { findSecret, type Here } from "./lookup.js";
import { readValue } from "./read.js";

export interface ReaderDeps {
  secrets: SecretStore;
  keys: KeyService | undefined;
  authorizer: Authorizer;
  clock: Clock;
  random: Random;
  here: Here;
  /**
   * Each read, allowed or refused, as the audit trail records a call: App Runner's own
   * GetSecretValue (source and user agent apprunner.amazonaws.com), as CloudTrail shows it on AWS.
   */
  record?: (call: Omit<ApiCallRecord, "api">) => void;
}

/**
 * What a deployment reads a RuntimeEnvironmentSecrets value with, as the service's instance role:
 * secretsmanager:GetSecretValue on the secret (IAM), then kms:Decrypt for a customer managed key
 * (KMS), then the value of the version asked (AWSCURRENT by default). Only SecretString: an
 * environment variable holds text.
 */
export function secretsManagerReader(deps: ReaderDeps): SecretValueReader {
  return {
    secretString(principal, ref, call) {
      const now = deps.clock.now();
      let failure: AppRunnerError | undefined;
      try {
        const secret = findSecret(deps.secrets, deps.here, ref.secretId, now);
        const resource = secret?.arn ?? resourceOf(deps.here.region, deps.here.accountId, ref.secretId, () => undefined);
        deps.authorizer.authorize(principal, [{ action: "secretsmanager:GetSecretValue", resource }], call);
        if (!secret) throw new AppRunnerError("ResourceNotFound", "Secrets Manager can't find the specified secret.");
        if (isScheduledForDeletion(secret, now)) throw new AppRunnerError("InvalidRequest", "The secret is scheduled for deletion; restore it with RestoreSecret to read it.");
        if (!deps.keys) throw new AppRunnerError("SecretsDecryptionFailure", "This OpenRunner has no KMS to decrypt the secret with.");
        const { value } = readValue(deps.secrets, deps.keys, { principal, call }, secret, { versionId: ref.versionId, versionStage: ref.versionStage }, now);
        try {
          if (value.type !== "SecretString") throw new AppRunnerError("InvalidRequest", "The secret's value is SecretBinary; only a SecretString can become an environment variable.");
          return value.bytes.toString("utf8");
        } finally {
          value.bytes.fill(0);
        }
      } catch (err) {
        // The reason alone: the resolver, its one caller, names the variable and the reference.
        if (err instanceof AppRunnerError) failure = err;
        throw err;
      } finally {
        deps.record?.(
          appRunnerReadRecord({
            operation: "GetSecretValue",
            requestId: uuid(deps.random),
            time: now,
            principal,
            input: { SecretId: ref.secretId, VersionId: ref.versionId, VersionStage: ref.versionStage },
            failure,
          }),
        );
      }
    },
  };
}
