import type { Principal } from "../iam/principal.js";
import type { CallFacts } from "../iam/authorization.js";

/**
 * Where one RuntimeEnvironmentSecrets value (or an apprunner.yaml `run.secrets` `value-from`)
 * points, as App Runner reads it:
 * - a Secrets Manager secret ARN: `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>`;
 * - the same followed by ECS's suffix `:<json-key>:<version-stage>:<version-id>` (each part may be
 *   empty): one key of a JSON secret, of a version;
 * - an SSM parameter ARN (`arn:aws:ssm:<region>:<account>:parameter/<name>`) or, in the service's
 *   own region, the parameter's name.
 */
export type SecretSource =
  | { kind: "secretsmanager"; secretId: string; jsonKey?: string; versionStage?: string; versionId?: string }
  | { kind: "ssm"; name: string };

/**
 * Reads one Secrets Manager secret's value as `principal` (a service's instance role): allowed
 * only if secretsmanager:GetSecretValue on the secret is (and kms:Decrypt, for a customer
 * managed key). Throws AppRunnerError: ResourceNotFound (no such secret, or deleted),
 * AccessDenied (the role may not read it), KmsDisabled / KmsInvalidState (its key), ... with a
 * message that says which.
 */
export interface SecretValueReader {
  secretString(principal: Principal, ref: { secretId: string; versionStage?: string; versionId?: string }, call: CallFacts): string;
}

/**
 * Reads one SSM parameter's value (SecureString decrypted) as `principal`: allowed only if
 * ssm:GetParameters on the parameter is (and kms:Decrypt for a customer managed key). `name` is a
 * name (with or without its leading `/`, or `name:version` / `name:label`) or a parameter ARN.
 * Throws ParameterNotFound, AccessDenied, KmsDisabled, ...
 */
export interface ParameterValueReader {
  parameterValue(principal: Principal, ref: { name: string }, call: CallFacts): string;
}

/**
 * What a deployment asks: every secret reference of the version it deploys (the service's
 * RuntimeEnvironmentSecrets, or its built image's `run.secrets`), resolved with the service's
 * instance role. Resolves to the values by variable name; rejects with
 * AppRunnerError("SecretUnavailable") naming the variable, the reference and the reason
 * (no instance role, not found, access denied, key disabled), so the deployment fails and the
 * running version keeps serving.
 */
export interface RuntimeSecretResolver {
  resolve(input: { serviceArn: string; instanceRoleArn?: string; references: Readonly<Record<string, string>> }): Promise<Record<string, string>>;
}
