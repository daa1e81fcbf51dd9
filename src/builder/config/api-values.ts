/**
 * CodeConfigurationValues (ConfigurationSource API) -> BuildPlan. The API's values are the
 * basic subset of apprunner.yaml: Runtime, one BuildCommand (run in the build phase),
 * StartCommand, Port, RuntimeEnvironmentVariables and RuntimeEnvironmentSecrets (references,
 * resolved at each deployment). Pure; problems carry the API member name
 * as their key and no line.
 */
import type { CodeConfigurationValues } from "@aws-sdk/client-apprunner";
import type { Wire } from "../../protocol/wire.js";
import type { BuildPlan, ConfigProblem } from "../types.js";
import { DEFAULT_PORT } from "./apprunner-yaml.js";
import { ENV_NAME } from "./apprunner-yaml-reader.js";
import { lookupApiRuntime, MANAGED_RUNTIMES } from "./runtimes.js";
import { secretReferenceProblems } from "../../domain/runtime-secrets.js";

export interface ApiPlanResult {
  /** Present only when there are no problems. */
  plan?: BuildPlan;
  problems: ConfigProblem[];
}

export function planFromApi(values: Wire<CodeConfigurationValues>): ApiPlanResult {
  const problems: ConfigProblem[] = [];
  const supported = MANAGED_RUNTIMES.join(", ");

  const runtimeName = values.Runtime as string | undefined;
  const found = runtimeName ? lookupApiRuntime(runtimeName) : undefined;
  if (!runtimeName) problems.push({ key: "Runtime", message: `Runtime is required; supported: ${supported}` });
  else if (found?.kind === "not-yet") problems.push({ key: "Runtime", message: `runtime ${runtimeName} is not supported by OpenRunner yet; supported: ${supported}` });
  else if (found?.kind === "unknown") problems.push({ key: "Runtime", message: `runtime ${runtimeName} is not a known runtime; supported: ${supported}` });

  const buildCommand = values.BuildCommand?.trim() ? values.BuildCommand : undefined;

  const startCommand = values.StartCommand?.trim() ? values.StartCommand : undefined;
  if (startCommand === undefined) {
    problems.push({ key: "StartCommand", message: "StartCommand is required for a source code service: the command that starts your application, e.g. npm start" });
  }

  let port = DEFAULT_PORT;
  const writtenPort = values.Port?.trim();
  if (writtenPort !== undefined && writtenPort !== "") {
    const n = /^\d{1,5}$/.test(writtenPort) ? Number(writtenPort) : NaN;
    if (n >= 1 && n <= 65535) port = n;
    else problems.push({ key: "Port", message: `Port must be a port number from 1 to 65535 (default ${DEFAULT_PORT}), not ${values.Port}` });
  }

  const runEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(values.RuntimeEnvironmentVariables ?? {})) {
    if (!ENV_NAME.test(name)) {
      problems.push({ key: `RuntimeEnvironmentVariables.${name}`, message: `RuntimeEnvironmentVariables "${name}" is not a variable name (no spaces or "="), e.g. MY_VAR` });
    } else runEnv[name] = value;
  }

  const secrets = values.RuntimeEnvironmentSecrets ?? {};
  for (const p of secretReferenceProblems(secrets, new Set(Object.keys(values.RuntimeEnvironmentVariables ?? {})))) {
    problems.push({ key: `RuntimeEnvironmentSecrets.${p.name}`, message: p.message });
  }

  if (problems.length > 0 || found?.kind !== "managed" || startCommand === undefined) return { problems };
  return {
    plan: {
      source: "API",
      runtime: found.runtime,
      preBuild: [],
      build: buildCommand === undefined ? [] : [buildCommand],
      postBuild: [],
      buildEnv: {},
      preRun: [],
      startCommand,
      port,
      runEnv,
      ...(Object.keys(secrets).length > 0 ? { secrets: { ...secrets } } : {}),
    },
    problems,
  };
}
