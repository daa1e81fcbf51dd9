import type { AppRunnerError } from "../errors/app-runner-error.js";
import type { Principal } from "../iam/principal.js";
import type { CallFacts } from "../iam/authorization.js";
import type { ApiCallRecord } from "../protocol/service-registry.js";

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

/** What parsing one `value-from` gives: where it points, or why it points nowhere. */
export type ParsedSecretSource = { ok: true; source: SecretSource } | { ok: false; problem: string };

/** App Runner's reserved environment: PORT is the service's port; AWSAPPRUNNER… are App Runner's own (as CDK refuses them too). */
export const RESERVED_NAME = "PORT";
export const RESERVED_PREFIX = "AWSAPPRUNNER";
/** RuntimeEnvironmentSecretsValue's length bound in App Runner's model. */
const MAX_REFERENCE = 2048;
/** A variable name an instance can be given: no `=`, no NUL, no whitespace. */
const VARIABLE_NAME = /^[^=\s\0]+$/;
const ARN = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}):(.*)$/;
/** A secret's name (Secrets Manager allows these characters; the ARN adds `-` and 6 random ones). */
const SECRET_NAME = /^[\w/+=.@-]{1,512}$/;
/** A parameter's name, with or without its leading `/`, optionally `:<version>` or `:<label>`. */
const PARAMETER_NAME = /^\/?[\w.-]+(?:\/[\w.-]+)*(?::[\w.-]+)?$/;
const FORMS =
  "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), optionally followed by :<json-key>:<version-stage>:<version-id>, " +
  "an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>) or a parameter name";

/**
 * Pure: one `value-from` as App Runner reads it (the forms above). The secret's ARN may carry
 * ECS's suffix `:<json-key>:<version-stage>:<version-id>`, whose parts may each be empty
 * (App Runner's own example ends `:username::`); a suffix with fewer parts is refused.
 */
export function parseSecretSource(valueFrom: string): ParsedSecretSource {
  const fail = (problem: string): ParsedSecretSource => ({ ok: false, problem });
  if (valueFrom.length === 0) return fail(`is empty; it must be ${FORMS}`);
  if (valueFrom.length > MAX_REFERENCE) return fail(`is longer than ${MAX_REFERENCE} characters`);
  if (!valueFrom.startsWith("arn:")) {
    return PARAMETER_NAME.test(valueFrom) ? { ok: true, source: { kind: "ssm", name: valueFrom } } : fail(`is neither an ARN nor a parameter name; it must be ${FORMS}`);
  }
  const arn = ARN.exec(valueFrom);
  if (!arn) return fail(`is not a well-formed ARN; it must be ${FORMS}`);
  const [, partition, service, region, account, resource = ""] = arn;
  if (region === "") return fail(`names no region; it must be ${FORMS}`);
  if (service === "ssm") {
    const name = resource.startsWith("parameter/") ? resource.slice("parameter/".length) : undefined;
    if (!name || !PARAMETER_NAME.test(name)) return fail(`is an SSM ARN but not of a parameter (arn:aws:ssm:<region>:<account>:parameter/<name>)`);
    return { ok: true, source: { kind: "ssm", name: valueFrom } };
  }
  if (service !== "secretsmanager") return fail(`is an ARN of ${service}, not of Secrets Manager or SSM; it must be ${FORMS}`);
  if (!resource.startsWith("secret:")) return fail(`is a Secrets Manager ARN but not of a secret (…:secret:<name>)`);
  const parts = resource.slice("secret:".length).split(":");
  const [name = "", jsonKey = "", versionStage = "", versionId = ""] = parts;
  if (!SECRET_NAME.test(name)) return fail(`names no valid secret after "secret:"`);
  if (parts.length !== 1 && parts.length !== 4) {
    return fail(`has ${parts.length - 1} part${parts.length === 2 ? "" : "s"} after the secret's ARN; write all three, :<json-key>:<version-stage>:<version-id>, leaving out what you do not need (e.g. ":username::")`);
  }
  if (versionId.length > 64) return fail("has a version id longer than 64 characters");
  if (versionStage.length > 256) return fail("has a version stage longer than 256 characters");
  return {
    ok: true,
    source: {
      kind: "secretsmanager",
      secretId: `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}`,
      ...(jsonKey ? { jsonKey } : {}),
      ...(versionStage ? { versionStage } : {}),
      ...(versionId ? { versionId } : {}),
    },
  };
}

/**
 * Pure: why `name` cannot carry a secret, or undefined. `plain` holds the names the same
 * configuration sets in clear (RuntimeEnvironmentVariables, run.env, run.network.env): one
 * variable cannot be both.
 */
export function secretNameProblem(name: string, plain: ReadonlySet<string>): string | undefined {
  if (!VARIABLE_NAME.test(name)) return `"${name}" is not a variable name (no spaces or "="), e.g. DB_PASSWORD`;
  if (name === RESERVED_NAME) return `${RESERVED_NAME} is reserved: App Runner sets it to the service's port`;
  if (name.startsWith(RESERVED_PREFIX)) return `${name} has the prefix ${RESERVED_PREFIX}, which App Runner reserves`;
  if (plain.has(name)) return `${name} is also a plain environment variable; a variable is either a secret or a plain value, not both`;
  return undefined;
}

/** One problem of a configuration's secrets, by the variable it is about. */
export interface SecretProblem {
  name: string;
  message: string;
}

/** Pure: every problem of a set of secret references (variable name -> value-from), in their order. */
export function secretReferenceProblems(references: Readonly<Record<string, string>>, plain: ReadonlySet<string>): SecretProblem[] {
  const problems: SecretProblem[] = [];
  for (const [name, valueFrom] of Object.entries(references)) {
    const nameProblem = secretNameProblem(name, plain);
    if (nameProblem) {
      problems.push({ name, message: nameProblem });
      continue;
    }
    const parsed = parseSecretSource(valueFrom);
    if (!parsed.ok) problems.push({ name, message: `the reference of ${name} ${parsed.problem}` });
  }
  return problems;
}

/** How App Runner appears in CloudTrail when it calls another service for a deployment. */
export const APP_RUNNER_SOURCE = "apprunner.amazonaws.com";

/**
 * A deployment's read of one secret as the audit trail records it: App Runner's own call
 * (source and user agent apprunner.amazonaws.com) as the instance role's session, found by its
 * principal, with no response (a read: CloudTrail keeps none, and never the value), and the
 * refusal's code and message when refused.
 */
export function appRunnerReadRecord(read: {
  operation: string;
  requestId: string;
  time: number;
  principal: Principal;
  input: unknown;
  failure: AppRunnerError | undefined;
}): Omit<ApiCallRecord, "api"> {
  const { failure } = read;
  return {
    operation: read.operation,
    requestId: read.requestId,
    time: read.time,
    sourceIp: APP_RUNNER_SOURCE,
    userAgent: APP_RUNNER_SOURCE,
    accessKeyId: read.principal.accessKeyId,
    principal: read.principal,
    input: read.input,
    output: undefined,
    errorCode: failure === undefined ? undefined : failure.code === "AccessDenied" ? "AccessDenied" : failure.awsType,
    errorMessage: failure?.message,
  };
}
