/**
 * App Runner's reading of a deployment's secrets: each RuntimeEnvironmentSecrets value (or
 * `run.secrets` value-from) is read with the service's instance role, as the role session
 * tasks.apprunner.amazonaws.com would get (the role must trust it), through Secrets Manager's or
 * Parameter Store's own reader, so their authorization (secretsmanager:GetSecretValue,
 * ssm:GetParameters, kms:Decrypt) decides exactly as for any caller. A reference that cannot be
 * read fails the deployment with the variable, the reference and the reason; never the value.
 */
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { CallFacts } from "../../iam/authorization.js";
import { INSTANCE_ROLE_SERVICE } from "../../iam/instance-credentials.js";
import type { Principal } from "../../iam/principal.js";
import { ROLE_SESSION_NAME, servicePrincipal } from "../../iam/role-sessions.js";
import type { RoleDirectory } from "../../iam/roles.js";
import type { Clock } from "../../util/clock.js";
import {
  parseSecretSource,
  type ParameterValueReader,
  type RuntimeSecretResolver,
  type SecretSource,
  type SecretValueReader,
} from "../../domain/runtime-secrets.js";

export interface RuntimeSecretResolverDeps {
  roles: RoleDirectory;
  clock: Clock;
  accountId: string;
  /** Secrets Manager's reader; absent: OpenRunner runs without Secrets Manager, and a secret reference fails clearly. */
  secrets?: SecretValueReader;
  /** Parameter Store's reader; absent likewise. */
  parameters?: ParameterValueReader;
}

/** The role session's name: the service's id (the last part of its ARN), as its instances' sessions are theirs. */
export function sessionNameOf(serviceArn: string): string {
  const id = serviceArn.slice(serviceArn.lastIndexOf("/") + 1);
  return ROLE_SESSION_NAME.test(id) ? id : "AppRunnerDeployment";
}

/**
 * Pure: one key of a JSON secret, as ECS and App Runner hand it: a string as it is, any other
 * JSON value as its JSON text. The value itself never appears in a message (JSON.parse's own
 * messages quote the text they failed on, so they are not passed on).
 */
export function jsonKeyOf(secretString: string, key: string): { ok: true; value: string } | { ok: false; reason: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(secretString);
  } catch {
    return { ok: false, reason: `the secret's value is not JSON, so it has no key ${key}` };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return { ok: false, reason: `the secret's value is not a JSON object, so it has no key ${key}` };
  if (!Object.hasOwn(doc, key)) return { ok: false, reason: `the secret's JSON has no key ${key}` };
  const value = (doc as Record<string, unknown>)[key];
  return { ok: true, value: typeof value === "string" ? value : JSON.stringify(value) };
}

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createRuntimeSecretResolver(deps: RuntimeSecretResolverDeps): RuntimeSecretResolver {
  const read = (principal: Principal, source: SecretSource, call: CallFacts): string => {
    if (source.kind === "ssm") {
      if (!deps.parameters) throw new AppRunnerError("SecretUnavailable", "Parameter Store is not running in this OpenRunner");
      return deps.parameters.parameterValue(principal, { name: source.name }, call);
    }
    if (!deps.secrets) throw new AppRunnerError("SecretUnavailable", "Secrets Manager is not running in this OpenRunner");
    const value = deps.secrets.secretString(
      principal,
      { secretId: source.secretId, ...(source.versionStage ? { versionStage: source.versionStage } : {}), ...(source.versionId ? { versionId: source.versionId } : {}) },
      call,
    );
    if (source.jsonKey === undefined) return value;
    const picked = jsonKeyOf(value, source.jsonKey);
    if (!picked.ok) throw new AppRunnerError("SecretUnavailable", picked.reason);
    return picked.value;
  };

  return {
    resolve({ serviceArn, instanceRoleArn, references }) {
      const entries = Object.entries(references);
      const values: Record<string, string> = {};
      if (entries.length === 0) return Promise.resolve(values);
      const unavailable = (name: string, ref: string, reason: string, cause?: unknown): AppRunnerError =>
        new AppRunnerError("SecretUnavailable", `The secret ${name} (${ref}) could not be read: ${reason.replace(/\.$/, "")}.`, cause === undefined ? undefined : { cause });
      const [firstName = "", firstRef = ""] = entries[0] ?? [];
      if (!instanceRoleArn) {
        return Promise.reject(
          unavailable(firstName, firstRef, `the service has no instance role to read its secrets with; set InstanceConfiguration.InstanceRoleArn to a role that trusts ${INSTANCE_ROLE_SERVICE} and may read them`),
        );
      }
      let principal: Principal;
      try {
        principal = servicePrincipal(deps, { roleArn: instanceRoleArn, service: INSTANCE_ROLE_SERVICE, sessionName: sessionNameOf(serviceArn) });
      } catch (err) {
        return Promise.reject(unavailable(firstName, firstRef, `the instance role ${instanceRoleArn} cannot be used (${reasonOf(err)})`, err));
      }
      // App Runner's own read, from this host.
      const call: CallFacts = { sourceIp: "127.0.0.1", secureTransport: true, time: deps.clock.now() };
      for (const [name, ref] of entries) {
        const parsed = parseSecretSource(ref);
        if (!parsed.ok) return Promise.reject(unavailable(name, ref, `the reference ${parsed.problem}`));
        try {
          values[name] = read(principal, parsed.source, call);
        } catch (err) {
          return Promise.reject(unavailable(name, ref, reasonOf(err), err));
        }
      }
      return Promise.resolve(values);
    },
  };
}
