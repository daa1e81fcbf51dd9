import { fieldErrors } from "../../api/errors";
import { stepsFor, type SourceKind, type StepKey } from "./model";

const IMAGE = "sourceConfiguration.imageRepository";
const CODE = "sourceConfiguration.codeRepository";
const VALUES = `${CODE}.codeConfiguration.codeConfigurationValues`;

/**
 * Which wizard field each API member path (or semantic message) belongs to, and its step.
 * Port, start command and variables sit on the build step for code, on the service step for an image.
 */
const FIELDS: Record<string, { paths: string[]; words?: RegExp; step: StepKey | { image: StepKey; code: StepKey } }> = {
  imageUri: { paths: [`${IMAGE}.imageIdentifier`], words: /image/i, step: "source" },
  repositoryUrl: { paths: [`${CODE}.repositoryUrl`], words: /repository ?url/i, step: "source" },
  branch: { paths: [`${CODE}.sourceCodeVersion`], words: /branch|source ?code ?version/i, step: "source" },
  sourceDirectory: { paths: [`${CODE}.sourceDirectory`], words: /source ?directory/i, step: "source" },
  connection: { paths: ["sourceConfiguration.authenticationConfiguration.connectionArn"], words: /connection/i, step: "source" },
  runtime: { paths: [`${VALUES}.runtime`], words: /runtime\b(?! ?environment)/i, step: "build" },
  buildCommand: { paths: [`${VALUES}.buildCommand`], words: /build ?command/i, step: "build" },
  build: { paths: [`${CODE}.codeConfiguration`], words: /CodeConfiguration|ConfigurationSource/, step: "build" },
  source: { paths: [`${IMAGE}.imageRepositoryType`, "sourceConfiguration.authenticationConfiguration", "sourceConfiguration"], words: /source|access role/i, step: "source" },
  name: { paths: ["serviceName"], words: /service name|provided name|maximum number of services/i, step: "service" },
  cpuMemory: { paths: ["instanceConfiguration.cpu", "instanceConfiguration.memory"], words: /CPU|memory/, step: "service" },
  instanceRoleArn: { paths: ["instanceConfiguration.instanceRoleArn"], step: "service" },
  port: { paths: [`${IMAGE}.imageConfiguration.port`, `${VALUES}.port`], words: /\bport\b/i, step: { image: "service", code: "build" } },
  startCommand: { paths: [`${IMAGE}.imageConfiguration.startCommand`, `${VALUES}.startCommand`], words: /start ?command/i, step: { image: "service", code: "build" } },
  env: {
    paths: [`${IMAGE}.imageConfiguration.runtimeEnvironmentVariables`, `${VALUES}.runtimeEnvironmentVariables`],
    words: /environment/i,
    step: "service",
  },
  secrets: { paths: [`${IMAGE}.imageConfiguration.runtimeEnvironmentSecrets`, `${VALUES}.runtimeEnvironmentSecrets`], words: /secret/i, step: "service" },
  kmsKey: { paths: ["encryptionConfiguration"], words: /\bKMS\b|encryption/i, step: "service" },
  autoScaling: { paths: ["autoScalingConfigurationArn"], words: /auto ?scaling/i, step: "service" },
  health: { paths: ["healthCheckConfiguration"], words: /health/i, step: "service" },
  tags: { paths: ["tags"], words: /\btags?\b/i, step: "service" },
};

/** Puts each part of a CreateService error at its field; returns the index of the earliest step to show. */
export function placeErrors(err: unknown, kind: SourceKind): { errors: Record<string, string>; step: number } {
  const errors = fieldErrors(err, FIELDS);
  const steps = stepsFor(kind);
  const indexes = Object.keys(errors).map((f) => {
    const step = FIELDS[f]?.step ?? "review";
    return steps.indexOf(typeof step === "string" ? step : step[kind]);
  });
  return { errors, step: Math.max(0, Math.min(...indexes.map((i) => (i < 0 ? steps.length - 1 : i)))) };
}
